"""The import layering of the package: the dialects are the bottom of the compiler and
import none of the layers built on them (the interpreters, the lowerings, the passes,
the targets, the runtime), so they load alone and the import cycles stay gone."""

from __future__ import annotations

import ast
from pathlib import Path

import stepwell

PACKAGE = Path(stepwell.__file__).parent
ABOVE_THE_DIALECTS = ("reference", "lowering", "transforms", "targets", "runtime", "compiler", "tools", "fuzz")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at its top level or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def layer_violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for name in imported_modules(path):
            parts = name.split(".")
            if parts[0] == "stepwell" and len(parts) > 1 and parts[1] in forbidden:
                bad.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return bad


def test_dialects_import_no_layer_above_them():
    assert layer_violations("dialects", ABOVE_THE_DIALECTS) == []


def test_the_scan_sees_an_import_inside_a_function(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n    from stepwell.reference import run\n")
    assert imported_modules(tmp_path / "m.py") == {"stepwell.reference"}


def test_dtypes_and_semantics_import_only_xdsl_and_numpy():
    for module in ("dtypes.py", "semantics.py"):
        stepwell_imports = {n for n in imported_modules(PACKAGE / module) if n.startswith("stepwell")}
        assert stepwell_imports <= {"stepwell.dtypes"}, (module, stepwell_imports)
