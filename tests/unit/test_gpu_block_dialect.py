"""The gpu_block dialect from Python: a kernel built with the ops' constructors (what
convert-loops-to-gpu_block will call) verifies, prints, and parses back to the same text
in the custom and the generic form; the launch binds tensors to the kernel's pointers."""

from __future__ import annotations

from xdsl.dialects import arith, func
from xdsl.dialects.builtin import FloatAttr, IntegerAttr, ModuleOp, TensorType, f32, i1, i32
from xdsl.ir import Block, Region

from stepwell.dialects.gpu_block import (
    AddPtrOp,
    ArangeOp,
    DotOp,
    ExpandDimsOp,
    ForOp,
    KernelOp,
    LaunchOp,
    LoadOp,
    MapOp,
    ProgramIdOp,
    PtrType,
    ReduceOp,
    ReturnOp,
    SplatOp,
    StoreOp,
    YieldOp,
)
from stepwell.ir import parse_module, verify_module
from stepwell.ir.printer import to_text
from stepwell.registry import make_context


def build_module(output=f32) -> ModuleOp:
    """A row kernel: for each row, sum of x over K in chunks of 16 (a `for` with a
    carried block), a dot of 16x16 blocks, a masked load and store."""
    ptr = PtrType(f32)
    kernel = KernelOp("rows", [ptr, i32, ptr], grid=["(s1 + 15) floordiv 16"], num_warps=4,
                      arg_attrs=[{"divisibility": IntegerAttr(16, 64)}, {}, {}])
    x, n, y = kernel.args
    b = kernel.body.block
    pid = ProgramIdOp(0)
    r = ArangeOp(0, 16)
    nb = SplatOp(n, [16])
    mask_body = Block(arg_types=[i32, i32])
    lt = arith.CmpiOp(mask_body.args[0], mask_body.args[1], "slt")
    mask_body.add_ops([lt, YieldOp(lt.result)])
    mask = MapOp([r.result, nb.result], [i1], Region(mask_body))
    xb = SplatOp(x, [16])
    xp = AddPtrOp(xb.result, r.result)
    zero = arith.ConstantOp(FloatAttr(0.0, f32))
    v = LoadOp(xp.result, mask.outputs[0], zero.result, cache="cg", evict="last")
    total = ReduceOp("sum", v.result, 0)
    best = ReduceOp("argmax", v.result, 0)
    col = ExpandDimsOp(v.result, 1)
    acc0 = SplatOp(zero.result, [16, 16])
    c0 = arith.ConstantOp(IntegerAttr(0, i32))
    c16 = arith.ConstantOp(IntegerAttr(16, i32))
    loop = ForOp(c0.result, n, c16.result, [acc0.result])
    square = Block(arg_types=[f32])
    square.add_op(YieldOp(square.args[0]))
    tile = MapOp([acc0.result], [f32], Region(square))
    dot = DotOp(tile.outputs[0], tile.outputs[0], loop.body.block.args[1], "tf32")
    loop.body.block.add_ops([tile, dot, YieldOp(dot.result)])
    yp = AddPtrOp(y, pid.result)
    b.add_ops([pid, r, nb, mask, xb, xp, zero, v, total, best, col, acc0, c0, c16, loop, yp,
               StoreOp(yp.result, total.result), ReturnOp()])

    main = Block(arg_types=[TensorType(f32, [4, 100])])
    size = arith.ConstantOp(IntegerAttr(100, i32))
    launch = LaunchOp("rows", [main.args[0], size.result], [TensorType(output, [4])], init=[None])
    main.add_ops([size, launch, func.ReturnOp(launch.outputs[0])])
    function = func.FuncOp("main", ([TensorType(f32, [4, 100])], [TensorType(output, [4])]), Region(main))
    return ModuleOp([kernel, function])


def test_built_kernel_verifies_and_round_trips():
    module = build_module()
    assert verify_module(module) == []
    ctx = make_context()
    for generic in (False, True):
        text = to_text(module, generic=generic)
        parsed, _ = parse_module(ctx, text)
        assert verify_module(parsed) == []
        assert to_text(parsed, generic=generic) == text
    text = to_text(module)
    assert "grid [(s1 + 15) floordiv 16] num_warps = 4" in text
    assert "cache cg evict last" in text
    assert "gpu_block.reduce argmax" in text and "-> i32" in text
    assert "precision tf32" in text


def test_launch_checks_the_kernel_signature():
    launch = next(op for op in build_module().walk() if isinstance(op, LaunchOp))
    assert launch.kernel() is not None and launch.kernel().sym_name.data == "rows"
    problems = verify_module(build_module(output=i32))  # an i32 output for an f32 pointer
    assert len(problems) == 1 and "argument 2 of @rows is !gpu_block.ptr<f32>" in str(problems[0])
