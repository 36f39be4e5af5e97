"""`dense_resource` constants (issue 11: large ONNX initializers as blobs): the store
and its text form (exact round trip, renaming on a clash, located errors), every reader
of constants giving the same results for `dense_resource` as for `dense` (reference,
folding, CPU, Triton's interpreter, the PTX launcher's constants), and the ONNX
importer writing big initializers as blobs."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, DenseResourceAttr

from stepwell import reference
from stepwell.compiler import compile
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph import types
from stepwell.dialects.tensor_graph.constants import to_dense, to_numpy, to_resource
from stepwell.dialects.tensor_graph.types import tensor
from stepwell.dtypes import numpy_dtype
from stepwell.ir import DiagnosticError, parse_module, resources, verify_module
from stepwell.ir.printer import to_text
from stepwell.registry import make_context
from stepwell.transforms.tensor_graph_fold_constants import TensorGraphFoldConstants

TYPES = ["f32", "f16", "bf16", "f64", "i1", "i8", "i32", "i64"]


def parse(text: str):
    module, locations = parse_module(make_context(), text, "t.mlir")
    errors = verify_module(module, locations, "t.mlir")
    if errors:
        raise DiagnosticError(errors)
    return module


def constants(module) -> list[tg.ConstantOp]:
    return [op for op in module.walk() if isinstance(op, tg.ConstantOp)]


def random_array(rng, shape, name: str) -> np.ndarray:
    dtype = numpy_dtype(_type(name))
    if name == "i1":
        return rng.random(shape) < 0.5
    if dtype.kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-100, 100, shape).astype(dtype)


def _type(name: str):
    return getattr(types, name)


def program(attrs: dict[str, object]) -> str:
    """@f returning one constant per (name -> attribute, or its text) pair."""
    lines, result_types = [], []
    for name, attr in attrs.items():
        type_ = str(attr).rsplit(" : ", 1)[1]
        lines.append(f"  %{name} = tensor_graph.constant {{value = {attr}}} : {type_}")
        result_types.append(type_)
    names = ", ".join(f"%{n}" for n in attrs)
    text = f"func.func @f() -> ({', '.join(result_types)}) {{\n" + "\n".join(lines)
    return text + f"\n  func.return {names} : {', '.join(result_types)}\n}}\n"


def with_section(text: str, blobs: dict[str, str]) -> str:
    entries = ",\n".join(f"      {k}: \"{v}\"" for k, v in blobs.items())
    return text + "{-#\n  dialect_resources: {\n    builtin: {\n" + entries + "\n    }\n  }\n#-}\n"


# --- the store and the text form ------------------------------------------------------


def test_print_parse_round_trip_is_exact_for_every_element_type():
    rng = np.random.default_rng(0)
    arrays = {f"c_{t}": random_array(rng, (3, 5), t) for t in TYPES}
    attrs = {k: to_resource(a, tensor(a.shape, _type(k[2:])), f"rt.{k}") for k, a in arrays.items()}
    module = parse(program(attrs))
    text = to_text(module)
    assert text.count("dialect_resources") == 1
    again = parse(text)
    assert to_text(again) == text  # the same names, the same bytes
    for op, (name, array) in zip(constants(again), arrays.items()):
        assert isinstance(op.value, DenseResourceAttr)
        np.testing.assert_array_equal(to_numpy(op.value), array, err_msg=name)
        assert to_numpy(op.value).dtype == array.dtype


def test_blob_text_is_mlir_form_alignment_first():
    attr = to_resource(np.array([1.0, 2.0], np.float32), tensor([2], _type("f32")), "form")
    blob = resources.lookup(attr)
    assert resources.encode(blob) == "0x040000000000803F00000040"
    assert resources.decode("0x040000000000803f00000040") == blob


def test_a_clashing_name_gets_its_own_blob_and_both_modules_keep_their_values():
    one = with_section(program({"a": "dense_resource<clash> : tensor<1xf32>"}), {"clash": "0x040000000000803F"})
    two = with_section(program({"a": "dense_resource<clash> : tensor<1xf32>"}), {"clash": "0x0400000000000040"})
    first, second = parse(one), parse(two)
    (a,), (b,) = constants(first), constants(second)
    assert a.value.resource_handle.data == "clash"
    assert b.value.resource_handle.data.startswith("clash_")
    assert to_numpy(a.value).tolist() == [1.0] and to_numpy(b.value).tolist() == [2.0]
    assert to_text(parse(to_text(second))) == to_text(second)  # and it round-trips as renamed


def test_the_same_blob_parsed_twice_keeps_its_name():
    text = with_section(program({"a": "dense_resource<twice_same> : tensor<1xf32>"}), {"twice_same": "0x040000000000803F"})
    assert to_text(parse(text)) == to_text(parse(text))
    assert "twice_same:" in to_text(parse(text))


def _error(text: str) -> str:
    with pytest.raises(DiagnosticError) as e:
        parse(text)
    (d,) = e.value.diagnostics
    return f"{d.file}:{d.line}:{d.col}: {d.message}"


def test_missing_blob_is_an_error_at_the_op():
    text = program({"a": "dense_resource<never_defined> : tensor<2xf32>"})
    assert _error(text).startswith(
        "t.mlir:2:3: 'tensor_graph.constant' op dense_resource<never_defined> has no blob: the file's "
        '{-# dialect_resources: { builtin: { never_defined: "0x..." } } #-} section must define it'
    )


@pytest.mark.parametrize(
    "blob, col, message",
    [
        ("040000000000803F", 13, 'a blob is "0x" then hex digits'),
        ("0x0400000000z0803F", 25, "'z' is not a hex digit"),
        ("0x040000", 13, "a blob starts with 4 bytes (8 hex digits) of alignment, this one has 6 hex digits"),
        ("0x040000000", 13, "an even number of hex digits"),
        ("0x000000000000803F", 15, "the alignment (the first 4 bytes, little-endian) is 0, not a power of two"),
    ],
)
def test_malformed_blob_is_a_located_error(blob, col, message):
    text = with_section(program({"a": "dense_resource<bad> : tensor<1xf32>"}), {"bad": blob})
    error = _error(text)
    assert error.startswith(f"t.mlir:8:{col}: blob 'bad': "), error  # at the blob's string
    assert message in error


def test_blob_of_the_wrong_size_is_an_error_at_the_op():
    text = with_section(program({"a": "dense_resource<sized> : tensor<3xi32>"}), {"sized": "0x0400000001000000"})
    assert _error(text) == (
        "t.mlir:2:3: 'tensor_graph.constant' op dense_resource<sized> holds 4 bytes, tensor<3xi32> needs 12 "
        "(3 elements of 4 bytes)"
    )


# --- every reader of constants: dense and dense_resource agree -----------------------

SHAPES = {"w": ((8, 5), "f32"), "b": ((5,), "f32"), "idx": ((6,), "i64"), "mask": ((4, 5), "i1"), "h": ((4, 5), "bf16")}
BODY = """func.func @f(%x: tensor<4x8xf32>, %t: tensor<10x3xf32>) -> (tensor<4x5xf32>, tensor<6x3xf32>, tensor<4x5xbf16>, tensor<8x5xf32>) {
  %w = tensor_graph.constant {value = W} : tensor<8x5xf32>
  %b = tensor_graph.constant {value = B} : tensor<5xf32>
  %idx = tensor_graph.constant {value = IDX} : tensor<6xi64>
  %mask = tensor_graph.constant {value = MASK} : tensor<4x5xi1>
  %h = tensor_graph.constant {value = H} : tensor<4x5xbf16>
  %m = tensor_graph.matmul %x, %w : tensor<4x8xf32>, tensor<8x5xf32> -> tensor<4x5xf32>
  %mb = tensor_graph.add %m, %b : tensor<4x5xf32>, tensor<5xf32> -> tensor<4x5xf32>
  %z = tensor_graph.neg %mb : tensor<4x5xf32>
  %s = tensor_graph.select %mask, %mb, %z : tensor<4x5xi1>, tensor<4x5xf32>, tensor<4x5xf32> -> tensor<4x5xf32>
  %g = tensor_graph.gather %t, %idx {axis = 0} : tensor<10x3xf32>, tensor<6xi64> -> tensor<6x3xf32>
  %mh = tensor_graph.cast %mb : tensor<4x5xf32> -> tensor<4x5xbf16>
  %hh = tensor_graph.mul %mh, %h : tensor<4x5xbf16>
  func.return %s, %g, %hh, %w : tensor<4x5xf32>, tensor<6x3xf32>, tensor<4x5xbf16>, tensor<8x5xf32>
}
"""


def _arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    arrays = {k: random_array(rng, shape, t) for k, (shape, t) in SHAPES.items()}
    arrays["idx"] = rng.integers(-10, 10, 6)
    return arrays


def _texts() -> tuple[str, str]:
    """The program with dense constants, and with dense_resource ones."""
    dense, blobs = BODY, BODY
    for k, a in _arrays().items():
        t = tensor(a.shape, _type(SHAPES[k][1]))
        dense = dense.replace(k.upper(), str(to_dense(a, t)), 1)
        blobs = blobs.replace(k.upper(), str(to_resource(a, t, f"diff.{k}")), 1)
    module = parse(blobs)
    assert len([op for op in constants(module) if isinstance(op.value, DenseResourceAttr)]) == len(SHAPES)
    return dense, to_text(module)


def _inputs():
    rng = np.random.default_rng(1)
    return rng.standard_normal((4, 8)).astype(np.float32), rng.standard_normal((10, 3)).astype(np.float32)


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


def test_reference_gives_the_same_results():
    dense, blobs = _texts()
    _same(reference.run(dense, "f", *_inputs()), reference.run(blobs, "f", *_inputs()))
    assert reference.run(blobs, "f", *_inputs())[3].tolist() == _arrays()["w"].tolist()


def test_cpu_gives_the_same_results(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    dense, blobs = _texts()
    expected = compile(dense, "f")(*_inputs())
    for e, r in zip(expected, reference.run(dense, "f", *_inputs())):
        np.testing.assert_allclose(e.astype(np.float64), r.astype(np.float64), rtol=1e-2, atol=1e-5)
    _same(compile(blobs, "f")(*_inputs()), expected)
    module = parse(blobs)  # a module (not text) as the source: its blobs are in the cache key
    _same(compile(module, "f")(*_inputs()), expected)


def test_triton_interpreter_gives_the_same_results(tmp_path, monkeypatch):
    pytest.importorskip("triton")
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is here: test_gpu_targets_give_the_same_results runs instead")
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "0")
    dense, blobs = _texts()
    expected = compile(dense, "f", target="triton")(*_inputs())
    _same(compile(blobs, "f", target="triton")(*_inputs()), expected)


def test_ptx_launcher_holds_the_same_constants(tmp_path, monkeypatch):
    pytest.importorskip("triton")
    pytest.importorskip("torch")
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    dense, blobs = _texts()
    a, b = compile(dense, "f", target="ptx"), compile(blobs, "f", target="ptx")
    assert a.program.module._CONSTANT_DATA == b.program.module._CONSTANT_DATA
    assert a.program.ptx == b.program.ptx


@pytest.mark.gpu
@pytest.mark.parametrize("target", ["triton", "ptx"])
def test_gpu_targets_give_the_same_results(target, tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    dense, blobs = _texts()
    expected = compile(dense, "f", target=target)(*_inputs())
    _same(compile(blobs, "f", target=target)(*_inputs()), expected)


def test_folding_reads_blobs_and_keeps_results_small():
    small = to_resource(np.arange(4, dtype=np.float32), tensor([4], _type("f32")), "fold.small")
    big = to_resource(np.arange(64 * 64, dtype=np.float32).reshape(64, 64), tensor([64, 64], _type("f32")), "fold.big")
    text = with_section(
        f"""func.func @f() -> (tensor<4xf32>, tensor<64x64xf32>) {{
  %a = tensor_graph.constant {{value = {small}}} : tensor<4xf32>
  %s = tensor_graph.add %a, %a : tensor<4xf32>
  %b = tensor_graph.constant {{value = {big}}} : tensor<64x64xf32>
  %t = tensor_graph.transpose %b {{perm = [1, 0]}} : tensor<64x64xf32> -> tensor<64x64xf32>
  func.return %s, %t : tensor<4xf32>, tensor<64x64xf32>
}}
""",
        {"fold.small": resources.encode(resources.lookup(small)), "fold.big": resources.encode(resources.lookup(big))},
    )
    module = parse(text)
    TensorGraphFoldConstants().apply(make_context(), module)
    folded = [op for op in constants(module) if op.result.uses]
    assert isinstance(folded[0].value, DenseIntOrFPElementsAttr)  # a small result: inline
    assert to_numpy(folded[0].value).tolist() == [0.0, 2.0, 4.0, 6.0]
    assert isinstance(folded[1].value, DenseResourceAttr)  # too big to fold: the blob stays
    printed = to_text(module)
    assert "%b = tensor_graph.constant {value = dense_resource<fold.big> : tensor<64x64xf32>}" in printed
    assert printed.count(resources.encode(resources.lookup(big))) == 1


# --- the ONNX importer -----------------------------------------------------------------


def test_onnx_big_initializers_are_blobs_printed_once(tmp_path, monkeypatch):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    from stepwell.frontends.onnx import load

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(3)
    weight = rng.standard_normal((1024, 1024)).astype(np.float32)  # 4 MiB
    bias = rng.standard_normal(1024).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "layer/weight:0"], ["h"]), helper.make_node("Add", ["h", "bias"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 1024])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 1024])],
        [numpy_helper.from_array(weight, "layer/weight:0"), numpy_helper.from_array(bias, "bias")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", 18)])
    text = to_text(load(model))
    hex_weight = weight.tobytes().hex().upper()
    assert text.count(hex_weight) == 1  # once, in the section
    assert '"layer/weight:0": "0x04000000' + hex_weight + '"' in text
    assert len(text) < 2 * (weight.nbytes + bias.nbytes) + 4096  # hex and a little IR
    assert "dense<[" not in text and 'dense<"0x' not in text
    x = rng.standard_normal((2, 1024)).astype(np.float32)
    expected = ReferenceEvaluator(model).run(None, {"x": x})[0]
    module = parse(text)  # the imported text parses back and runs
    assert to_text(module) == text
    np.testing.assert_allclose(reference.run(text, "main", x), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(compile(text, "main")(x), expected, rtol=1e-4, atol=1e-4)
    inline = to_text(load(model, inline_limit=1 << 30))
    assert "dialect_resources" not in inline and "dense_resource" not in inline
    del onnx


_CACHED = """
import sys, numpy as np
from stepwell.compiler import compile
from stepwell.dialects.tensor_graph.builder import GraphBuilder
from stepwell.dialects.tensor_graph.constants import to_resource
from stepwell.dialects.tensor_graph.types import f32, tensor
from stepwell.ir.printer import to_text
from stepwell.ir import parse_module
from stepwell.registry import make_context
value = float(sys.argv[1])
attr = to_resource(np.full(300, value, np.float32) + np.arange(300, dtype=np.float32), tensor([300], f32), "cached")
text = f'''func.func @f(%x: tensor<300xf32>) -> tensor<300xf32> {{
  %c = tensor_graph.constant {{value = {attr}}} : tensor<300xf32>
  %y = tensor_graph.add %x, %c : tensor<300xf32>
  func.return %y : tensor<300xf32>
}}'''
module, _ = parse_module(make_context(), text)
print(compile(module, "f")(np.zeros(300, np.float32))[0])
"""


def test_compile_cache_tells_modules_apart_by_their_blobs(tmp_path):
    """Two processes compile modules that differ only in a blob's bytes (the same name
    in each): the second must not get the first's compiled code from the disk cache."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "STEPWELL_CACHE_DIR": str(tmp_path)}
    outputs = [
        subprocess.run([sys.executable, "-c", _CACHED, v], env=env, capture_output=True, text=True, check=True).stdout
        for v in ("1", "2")
    ]
    assert [float(o) for o in outputs] == [1.0, 2.0]


def test_a_constant_of_both_zero_signs_is_no_splat_on_any_path(tmp_path, monkeypatch):
    """[0.0, -0.0] compares equal elementwise but is no splat: the loops lowering, the
    CPU globals and the Triton launcher's constants kept only 0.0 (1 / -0.0 was +inf)."""
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "0")
    text = """func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = tensor_graph.constant {value = dense<[0.0, -0.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = tensor_graph.div %x, %c : tensor<2xf32>
  func.return %y : tensor<2xf32>
}
"""
    x = np.ones(2, np.float32)
    expected = [np.inf, -np.inf]
    assert reference.run(text, "f", x).tolist() == expected
    assert compile(text, "f")(x).tolist() == expected
    torch = pytest.importorskip("torch")
    pytest.importorskip("triton")
    if not torch.cuda.is_available():
        assert compile(text, "f", target="triton")(x).tolist() == expected


# --- big constants stay out of generated code: the loader binds them -------------------

BOUND = "{bind-constants-above=0}"  # every constant that is no splat is bound


def _cpu_pipeline(option: str) -> str:
    from stepwell.registry import pipelines

    return pipelines()["lower-to-cpu"].replace("convert-loops-to-llvm", f"convert-loops-to-llvm{option}")


def test_cpu_bound_constants_give_the_same_results(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    dense, blobs = _texts()
    expected = compile(dense, "f")(*_inputs())
    for text in (dense, blobs):
        f = compile(text, "f", pipeline=_cpu_pipeline(BOUND))
        assert len(f.library.constants) == len(SHAPES)
        _same(f(*_inputs()), expected)


BIG = """func.func @f(%x: tensor<1024x1024xf32>) -> (tensor<1024x1024xf32>, tensor<1024x1024xf32>) {
  %c = tensor_graph.constant {value = C} : tensor<1024x1024xf32>
  %y = tensor_graph.add %x, %c : tensor<1024x1024xf32>
  func.return %y, %c : tensor<1024x1024xf32>, tensor<1024x1024xf32>
}
"""


def _big() -> tuple[np.ndarray, str]:
    """A program with a 4 MiB constant (a blob), and its value."""
    value = np.random.default_rng(5).standard_normal((1024, 1024)).astype(np.float32)
    attr = to_resource(value, tensor([1024, 1024], _type("f32")), "big.c")
    return value, to_text(parse(BIG.replace("C", str(attr))))


def test_a_big_constant_is_neither_in_llvm_ir_nor_in_object_code(tmp_path, monkeypatch):
    """What the bounded LLVM worker is handed and hands back does not grow with the
    constant (it did: 4 MiB of IR text escaped byte by byte, 4 MiB of object code)."""
    from stepwell.targets import llvm as llvm_target

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    sizes = []
    machine_code = llvm_target.machine_code

    def measured(text: str) -> bytes:
        obj = machine_code(text)
        sizes.append((len(text), len(obj)))
        return obj

    monkeypatch.setattr(llvm_target, "machine_code", measured)
    value, text = _big()
    x = np.random.default_rng(6).standard_normal((1024, 1024)).astype(np.float32)
    bound = compile(text, "f")  # the default: bound above 64 KiB
    inline = compile(text, "f", pipeline=_cpu_pipeline("{bind-constants-above=-1}"))
    (bound_text, bound_obj), (inline_text, inline_obj) = sizes
    assert bound_text < 64 * 1024 and bound_obj < 64 * 1024
    assert inline_text > value.nbytes and inline_obj > value.nbytes  # (what the test would see without binding)
    (array,) = bound.library.constants.values()
    assert array.ctypes.data % 64 == 0 and not array.flags.writeable
    _same(bound(x), inline(x))
    _same(bound(x), (x + value, value))


def test_small_constants_stay_inline_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    dense, _ = _texts()
    assert compile(dense, "f").library.constants == {}


_CACHED_BIG = """
import json, mmap, sys, numpy as np
from stepwell.compiler import STATS, compile
sys.path.insert(0, sys.argv[1])
from test_resources import _big
value, text = _big()
f = compile(text, "f")
x = np.arange(1024 * 1024, dtype=np.float32).reshape(1024, 1024)
y, c = f(x)
(array,) = f.library.constants.values()
print(json.dumps({"compiles": STATS["llvm_compiles"], "same": bool((y == x + value).all() and (c == value).all()),
                  "aligned": array.ctypes.data % 64 == 0, "read_only": not array.flags.writeable,
                  "mapped": isinstance(getattr(array.base, "obj", None), mmap.mmap)}))
"""


def test_a_cached_program_binds_its_constants_from_the_cache_file(tmp_path):
    """A second process loads the artifact from the disk cache (no LLVM compile) and
    binds the constant where the cache file is mapped: aligned, read-only, same answers."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "STEPWELL_CACHE_DIR": str(tmp_path)}
    here = str(Path(__file__).parent)
    first, second = (
        json.loads(subprocess.run([sys.executable, "-c", _CACHED_BIG, here], env=env, capture_output=True, text=True, check=True).stdout)
        for _ in range(2)
    )
    assert first == {"compiles": 1, "same": True, "aligned": True, "read_only": True, "mapped": False}  # one aligned copy
    assert second == {"compiles": 0, "same": True, "aligned": True, "read_only": True, "mapped": True}  # the file's bytes
    (entry,) = tmp_path.glob("*.entry")
    assert value_bytes_once(entry.read_bytes(), _big()[0])


def value_bytes_once(data: bytes, value: np.ndarray) -> bool:
    """The entry file holds the constant's bytes once, at a multiple of 64 bytes."""
    at = data.find(value.tobytes())
    return at >= 0 and at % 64 == 0 and data.find(value.tobytes(), at + 1) < 0


def test_triton_interpreter_bound_constants_give_the_same_results(tmp_path, monkeypatch):
    pytest.importorskip("triton")
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is here: the GPU tests run instead")
    from stepwell.targets.triton.target import TritonTarget

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "0")
    dense, blobs = _texts()
    expected = compile(dense, "f", target="triton")(*_inputs())
    monkeypatch.setattr(TritonTarget, "bind_constants_above", 0)
    f = compile(blobs, "f", target="triton")
    assert sorted(f.program.module._BOUND) == ["f.0", "f.1", "f.2", "f.3", "f.4"]
    assert all(data is None for _, _, data in f.program.module._CONSTANT_DATA.values())
    assert "import base64" not in f.program.path.read_text()
    _same(f(*_inputs()), expected)


def test_ptx_launchers_do_not_hold_a_big_constant(tmp_path, monkeypatch):
    import json

    from stepwell.runtime.cache import CACHE

    pytest.importorskip("triton")
    torch = pytest.importorskip("torch")
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    value, text = _big()
    f = compile(text, "f", target="ptx")
    (artifact,) = [e.artifact for e in CACHE.memory.values() if e.loaded is f.program]
    assert len(json.loads(artifact.metadata)["host"]) < 64 * 1024  # the launchers: no 4 MiB in base64
    assert bytes(artifact.constants["f.0"]) == value.tobytes()
    assert f.program.module._CONSTANT_DATA == {"f.0": ((1024, 1024), torch.float32, None)}
    assert torch.equal(f.program.module._constant("f.0", "cpu"), torch.from_numpy(value))
