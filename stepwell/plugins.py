"""Plugins: Python modules that add dialects, passes and named pipelines to stepwell.

The convention is one rule: **importing the plugin registers what it brings.** A
plugin calls `stepwell.registry.register_dialect`, `register_pass` (and, if it likes,
`register_pipeline`) at the top level of its module; there is no hook to call.

A plugin is found
- by `--load-dialect-plugin` / `--load-pass-plugin` (the two flags do the same thing;
  both exist because mlir-opt users type them), given a file (`path/to/plugin.py`) or a
  dotted module name (`mypackage.stepwell_plugin`), or by `load_plugin(spec)` in Python;
- through the entry-point group `stepwell.plugins` of installed packages, loaded when
  the tools start: in the package's `pyproject.toml`,

      [project.entry-points."stepwell.plugins"]
      activation = "my_package.activation"

Loading the same plugin twice imports it once.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

ENTRY_POINT_GROUP = "stepwell.plugins"

_loaded: dict[str, ModuleType] = {}
_failed: set[str] = set()  # entry points that failed to load


class PluginError(Exception):
    """A plugin that cannot be found or fails to import; the message is for humans."""


def _looks_like_file(spec: str) -> bool:
    return spec.endswith(".py") or "/" in spec or "\\" in spec or Path(spec).is_file()


def load_plugin(spec: str) -> ModuleType:
    """Import the plugin `spec` (a *.py file or a dotted module name) once."""
    if _looks_like_file(spec):
        path = Path(spec).expanduser().resolve()
        key = str(path)
        if key not in _loaded:
            _loaded[key] = _import_file(spec, path)
        return _loaded[key]
    if spec not in _loaded:
        _loaded[spec] = _import_module(spec)
    return _loaded[spec]


def _import_file(spec: str, path: Path) -> ModuleType:
    if not path.is_file():
        raise PluginError(f"cannot load plugin '{spec}': no such file")
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    name = f"stepwell_plugin_{path.stem}_{digest}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise PluginError(f"cannot load plugin '{spec}': not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # dataclasses and xDSL look the module up by name
    try:
        module_spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[name]
        raise PluginError(f"plugin '{spec}' failed to load: {_describe(e)}") from e
    return module


def _import_module(spec: str) -> ModuleType:
    try:
        return importlib.import_module(spec)
    except ModuleNotFoundError as e:
        if e.name and (spec == e.name or spec.startswith(e.name + ".")):
            raise PluginError(
                f"cannot load plugin '{spec}': no module named '{e.name}' "
                "(give a path to a .py file, or a module on the Python path)"
            ) from e
        raise PluginError(f"plugin '{spec}' failed to load: {_describe(e)}") from e
    except Exception as e:
        raise PluginError(f"plugin '{spec}' failed to load: {_describe(e)}") from e


def load_entry_point_plugins() -> list[str]:
    """Import every plugin of the `stepwell.plugins` entry-point group; return a
    message for each one that failed (a broken package must not stop the tools).
    A plugin that failed is not tried again: a later call returns no message for it."""
    problems = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        key = f"entry-point:{ep.value}"
        if key in _loaded or key in _failed:
            continue  # a broken plugin is tried, and reported, once per process
        try:
            loaded = ep.load()
        except Exception as e:
            _failed.add(key)
            problems.append(
                f"plugin '{ep.name}' (entry point {ep.value}) failed to load: {_describe(e)}"
            )
            continue
        _loaded[key] = loaded if isinstance(loaded, ModuleType) else sys.modules[ep.module]
    return problems


def _describe(e: BaseException) -> str:
    """`Type: message (file.py:LINE)`, at the innermost frame of Python code."""
    where = ""
    tb = e.__traceback__
    while tb is not None and not isinstance(e, SyntaxError):
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith("<"):
            where = f" ({Path(filename).name}:{tb.tb_lineno})"
        tb = tb.tb_next
    return f"{type(e).__name__}: {e}{where}"
