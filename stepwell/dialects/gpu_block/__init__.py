"""The `gpu_block` dialect: GPU kernels at Triton's level, where a program instance works on blocks of elements.

    gpu_block.kernel @add_one(%x: !gpu_block.ptr<f32> {divisibility = 16}, %n: i32, %y: !gpu_block.ptr<f32> {divisibility = 16}) grid [(s1 + 1023) floordiv 1024] num_warps = 4 {
      %pid = gpu_block.program_id 0
      %c1024 = arith.constant 1024 : i32
      %start = arith.muli %pid, %c1024 : i32
      %r = gpu_block.arange 0 to 1024 : tensor<1024xi32>
      %startb = gpu_block.splat %start : i32 -> tensor<1024xi32>
      %nb = gpu_block.splat %n : i32 -> tensor<1024xi32>
      %offs, %mask = gpu_block.map(%a = %startb, %b = %r, %c = %nb) : tensor<1024xi32>, tensor<1024xi32>, tensor<1024xi32> -> tensor<1024xi32>, tensor<1024xi1> {
        %o = arith.addi %a, %b : i32
        %m = arith.cmpi slt, %o, %c : i32
        gpu_block.yield %o, %m : i32, i1
      }
      %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
      %xp = gpu_block.addptr %xb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
      %zero = arith.constant 0.0 : f32
      %v = gpu_block.load %xp mask %mask other %zero : tensor<1024x!gpu_block.ptr<f32>>
      %w = gpu_block.map(%e = %v) : tensor<1024xf32> -> tensor<1024xf32> {
        %one = arith.constant 1.0 : f32
        %s = arith.addf %e, %one : f32
        gpu_block.yield %s : f32
      }
      %yb = gpu_block.splat %y : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
      %yp = gpu_block.addptr %yb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
      gpu_block.store %yp, %w mask %mask : tensor<1024x!gpu_block.ptr<f32>>
      gpu_block.return
    }
    func.func @main(%x: tensor<1000xf32>) -> tensor<1000xf32> {
      %n = arith.constant 1000 : i32
      %y = gpu_block.launch @add_one(%x, %n) : (tensor<1000xf32>, i32) -> (tensor<1000xf32>)
      func.return %y : tensor<1000xf32>
    }

Emitting Triton is printing: each op is one Triton construct (`tl.program_id(0)`,
`tl.arange(0, 1024)`, `x + offs`, `tl.load(p, mask=m, other=0.0)`, a map's scalar ops
applied to whole blocks), and the launch is `add_one[grid](x, n, y)`.

Blocks are builtin ranked tensors whose dims are powers of two (`tensor<64x128xf32>`),
as Triton's blocks are; scalars are plain integers and floats. Scalar arithmetic
(`%pid * 1024`) is `arith` on scalars; arithmetic on blocks is a `gpu_block.map` whose
body is the scalar `arith`/`math` code of the `loops` level (xDSL's `arith` takes no
blocks of masks), and broadcasting is explicit (`splat`, `expand_dims`, `broadcast`),
so every map works on blocks of one shape.

Memory is reached through pointers, `!gpu_block.ptr<T>`, as in Triton's TTIR: a kernel
argument is a pointer (or a scalar); a block of pointers `tensor<1024x!gpu_block.ptr<f32>>`
is a splatted base plus a block of offsets in elements (`addptr`); load, store and the
atomics take blocks of pointers with an i1 mask of the same shape. Pointers rather than
(base, offsets) pairs because Triton's own source is written that way (`x_ptr + offs`),
so the emitter prints an expression per op and never reassembles addresses.

Problem sizes are SSA integers: a kernel argument (`%n: i32`, known at launch) or an
`arith.constant` in the body (a literal Triton can see, so it proves alignment and
vectorizes). Switching one for the other changes only where the value comes from; the
grid's expressions name size arguments as `s<K>` (argument K) and are literal when the
sizes are.

The kernel is a symbol at module level; `gpu_block.launch` at function level runs it on
tensors with value semantics, like `loops.kernel`: its operands bind the kernel's first
arguments, and each result a further pointer argument.
"""

from xdsl.ir import Dialect

from stepwell.dialects.gpu_block.ops import (
    ATOMIC_KINDS,
    AddPtrOp,
    ArangeOp,
    AtomicRmwOp,
    BroadcastOp,
    DotOp,
    ExpandDimsOp,
    ForOp,
    KernelOp,
    LaunchOp,
    LoadOp,
    MapOp,
    ProgramIdOp,
    ReduceOp,
    ReturnOp,
    SplatOp,
    StoreOp,
    YieldOp,
    mask_type,
    pointee_type,
)
from stepwell.dialects.gpu_block.types import PtrType

GpuBlock = Dialect(
    "gpu_block",
    [
        KernelOp,
        ReturnOp,
        LaunchOp,
        ProgramIdOp,
        ArangeOp,
        SplatOp,
        ExpandDimsOp,
        BroadcastOp,
        AddPtrOp,
        LoadOp,
        StoreOp,
        AtomicRmwOp,
        MapOp,
        ReduceOp,
        DotOp,
        ForOp,
        YieldOp,
    ],
    [PtrType],
)

__all__ = [
    "ATOMIC_KINDS",
    "AddPtrOp",
    "ArangeOp",
    "AtomicRmwOp",
    "BroadcastOp",
    "DotOp",
    "ExpandDimsOp",
    "ForOp",
    "GpuBlock",
    "KernelOp",
    "LaunchOp",
    "LoadOp",
    "MapOp",
    "ProgramIdOp",
    "PtrType",
    "ReduceOp",
    "ReturnOp",
    "SplatOp",
    "StoreOp",
    "YieldOp",
    "mask_type",
    "pointee_type",
]
