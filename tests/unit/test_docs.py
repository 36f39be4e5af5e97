"""The project carries its own documentation: the tensor_graph spec and one page per
dialect under docs/, generated from the op definitions and never out of date."""

import re
import shutil
from pathlib import Path

from stepwell.dialects.loops import Loops
from stepwell.dialects.tensor_graph import ALL_OPS
from stepwell.tools import gendocs

ROOT = Path(__file__).resolve().parents[2]


def test_generated_pages_are_up_to_date():
    assert gendocs.stale(ROOT / "docs") == [], "docs/ is out of date: run python -m stepwell.tools.gendocs"


def test_check_fails_on_a_stale_or_missing_page(tmp_path, capsys):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    assert gendocs.main(["--check", "--docs", str(docs)]) == 0
    page = docs / "dialects/tensor_graph.md"
    page.write_text(page.read_text().replace("tensor_graph.clamp", "tensor_graph.klamp"))
    (docs / "dialects/loops.md").unlink()
    assert gendocs.main(["--check", "--docs", str(docs)]) == 1
    err = capsys.readouterr().err
    assert "docs/dialects/tensor_graph.md is out of date" in err and "docs/dialects/loops.md" in err


def test_every_op_has_a_section_with_its_summary_properties_and_example():
    pages = gendocs.pages()
    tg, loops = pages["dialects/tensor_graph.md"], pages["dialects/loops.md"]
    for op in ALL_OPS:
        summary, _ = gendocs._doc(op)
        section = tg.split(f"### `{op.name}`\n", 1)[1].split("\n### ", 1)[0]
        assert summary in section
        for name in op.get_irdl_definition().properties:
            assert f"| property | `{name}` |" in section, (op.name, name)
        assert f"%y = {op.name} " in section and f'%y = "{op.name}"(' in section, op.name
    for op in Loops.operations:
        assert f"### `{op.name}`" in loops
    clamp = tg.split("### `tensor_graph.clamp`", 1)[1].split("\n### ", 1)[0]
    assert "| property | `min` | f64 |" in clamp and "min > max every element becomes max" in clamp
    gather = tg.split("### `tensor_graph.gather`", 1)[1].split("\n### ", 1)[0]
    assert "- `operand 'indices' must have element type i32 or i64, got …`" in gather


def test_an_op_without_a_docstring_is_an_error():
    class Undocumented:
        name = "my.undocumented"

    try:
        gendocs._doc(Undocumented)
    except ValueError as e:
        assert "my.undocumented has no docstring" in str(e)
    else:
        raise AssertionError("an undocumented op was accepted")


def test_readme_points_into_the_repository():
    readme = (ROOT / "README.md").read_text()
    assert "../shared" not in readme
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert "docs/spec/tensor_graph.md" in links and "docs/dialects/tensor_graph.md" in links
    for link in links:
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link
    spec = (ROOT / "docs/spec/tensor_graph.md").read_text()
    assert "## Numerics" in spec and "## Errors" in spec
    assert (ROOT / "docs/dialects/tensor_graph.md").read_text().count("](../spec/tensor_graph.md)") == 1
