"""Random valid `tensor_graph` programs and their inputs, deterministic from a seed.

    p = generate(seed=7, max_ops=12)
    p.text          # MLIR: @f_all returns every op's result; @f (when fused=True)
                    # the same body returning only its sinks, so the CPU target fuses it
    p.inputs        # one numpy array per argument, special values included

A program is a DAG of a few to `max_ops` ops. Each op comes from one small generator in
`GENERATORS` (one per spec op, or per group of ops of one shape), which picks operands
from the values built so far (mostly recent ones, so chains form) or adds a function
argument. Ops are built with `TensorGraphOp.make`, so the verifier's own type rules
decide what is valid: a generator that asks for something invalid is skipped.
Shapes are small, with size-1 and zero-size dimensions and rank 0; element types are
all eight of the spec; input values include NaN, +-inf, -0.0, huge and tiny numbers and
integer extremes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import ml_dtypes
import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.utils.exceptions import VerifyException

from stepwell.dialects.tensor_graph import ops
from stepwell.dialects.tensor_graph.builder import integer_range
from stepwell.dialects.tensor_graph.types import (
    CLASSES,
    broadcast_shapes,
    i1,
    i32,
    i64,
    is_float,
    shape_of,
    tensor,
)
from stepwell.ir.printer import to_text
from stepwell.dtypes import numpy_dtype

DIMS = (1, 1, 2, 3, 4, 5, 7)
"""Dimension sizes to draw from (0 is drawn separately, rarely)."""


class Skip(Exception):
    """This generator cannot build an op from what is available: try another."""


@dataclass
class Program:
    seed: int
    module: ModuleOp
    inputs: list[np.ndarray]
    index_bounds: dict[int, int] = field(default_factory=dict)
    """Argument number -> the axis size it indexes (gather indices)."""

    @property
    def text(self) -> str:
        return to_text(self.module)

    def function(self, name: str) -> func.FuncOp:
        for op in self.module.ops:
            if isinstance(op, func.FuncOp) and op.sym_name.data == name:
                return op
        raise KeyError(name)


class Gen:
    """The state of one program under construction: the block, the values, the rng."""

    def __init__(self, seed: int, zero_dims: float = 0.05):
        self.rng = random.Random(seed)
        self.values_rng = np.random.default_rng(seed)
        self.block = Block()
        self.values: list[SSAValue] = []
        self.index_bounds: dict[int, int] = {}
        self.zero_dims = zero_dims

    # --- choices ---

    def coin(self, p: float) -> bool:
        return self.rng.random() < p

    def choice(self, seq):
        return self.rng.choice(list(seq))

    def dim(self) -> int:
        return 0 if self.coin(self.zero_dims) else self.choice(DIMS)

    def shape(self, rank: int | None = None, min_rank: int = 0) -> tuple[int, ...]:
        if rank is None:
            rank = max(min_rank, self.choice((0, 1, 1, 2, 2, 2, 3, 3, 4)))
        return tuple(self.dim() for _ in range(rank))

    def dtype(self, elements: str = "any") -> Attribute:
        return self.choice(CLASSES[elements])

    def partner_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """A shape that broadcasts with `shape`: fewer leading dims, 1s, or more dims."""
        out = list(shape[self.rng.randint(0, len(shape)) :] if self.coin(0.3) else shape)
        out = [1 if self.coin(0.25) else n for n in out]
        if self.coin(0.15):
            out = [self.choice(DIMS)] + out if not shape else [1] + out
        return tuple(out)

    # --- values ---

    def argument(self, t: TensorType, index_bound: int | None = None) -> SSAValue:
        arg = self.block.insert_arg(t, len(self.block.args))
        if index_bound is not None:
            self.index_bounds[arg.index] = index_bound
        else:
            self.values.append(arg)
        return arg

    def value(
        self,
        elements: str = "any",
        *,
        dtype: Attribute | None = None,
        fits: Callable[[tuple[int, ...]], bool] = lambda s: True,
        shape: Callable[[], tuple[int, ...]] | None = None,
        reuse: float = 0.85,
    ) -> SSAValue:
        """A value of the element class (or exact dtype) whose shape `fits`: an existing
        one, most likely a recent one, or else a new argument of shape `shape()`."""
        allowed = (dtype,) if dtype is not None else CLASSES[elements]
        found = [
            v for v in self.values if v.type.element_type in allowed and fits(shape_of(v.type))
        ]
        if found and self.coin(reuse):
            recent = found[-3:]
            return self.choice(recent) if self.coin(0.7) else self.choice(found)
        new_shape = shape() if shape is not None else self.shape()
        if not fits(new_shape):
            raise Skip
        return self.argument(tensor(new_shape, dtype or self.choice(allowed)))

    def make(self, op_type, *operands, result_type=None, **props) -> SSAValue:
        try:
            op = op_type.make(*operands, result_type=result_type, **props)
        except VerifyException as e:
            raise Skip from e
        self.block.add_op(op)
        self.values.append(op.results[0])
        return op.results[0]


# --- input values -------------------------------------------------------------------


def special_floats(dtype: np.dtype) -> list[float]:
    info = ml_dtypes.finfo(dtype)
    return [
        np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5,
        float(info.max), -float(info.max), float(info.max) / 3,
        float(info.smallest_normal), -float(info.smallest_subnormal), float(info.smallest_subnormal),
        1e4, -3e6, 1e30, -1e-30, 88.5, 710.0, 1e-3,
    ]  # fmt: skip


def random_values(rng: np.random.Generator, t: TensorType, special: float) -> np.ndarray:
    """Values of type `t`: mostly ordinary, each a special one with probability `special`."""
    shape, dtype = shape_of(t), np.dtype(numpy_dtype(t.element_type))
    size = math.prod(shape)
    if t.element_type == i1:
        return (rng.random(size) < 0.5).reshape(shape)
    pick = rng.random(size) < special
    if is_float(t.element_type):
        x = rng.standard_normal(size) * 3
        specials = np.array(special_floats(dtype))
        x[pick] = rng.choice(specials, size=int(pick.sum()))
        with np.errstate(over="ignore"):
            return x.astype(dtype).reshape(shape)
    lo, hi = integer_range(t.element_type)
    x = rng.integers(-20, 21, size=size)
    x = np.where(pick, rng.choice([lo, hi, lo + 1, 0, -1, 1, 127, 255], size=size), x)
    return x.astype(np.int64).astype(dtype).reshape(shape)  # wraps where too wide


def random_indices(rng: np.random.Generator, t: TensorType, bound: int, bad: float) -> np.ndarray:
    """Gather indices in [-bound, bound); each out of range with probability `bad`."""
    shape, dtype = shape_of(t), numpy_dtype(t.element_type)
    size = math.prod(shape)
    x = rng.integers(-bound, bound, size=size) if bound else np.zeros(size, np.int64)
    hi = integer_range(t.element_type)[1]
    wrong = rng.choice([bound, -bound - 1, hi, -hi - 1, 2**31 - 1], size=size)
    x = np.where(rng.random(size) < bad, wrong, x)
    return x.astype(dtype).reshape(shape)


# --- op generators: each builds one op (or raises Skip) -------------------------------

FLOAT_UNARY = [
    ops.ExpOp, ops.Exp2Op, ops.LogOp, ops.Log2Op, ops.SqrtOp, ops.RsqrtOp, ops.ReciprocalOp,
    ops.TanhOp, ops.SinOp, ops.CosOp, ops.ErfOp, ops.FloorOp, ops.CeilOp, ops.RoundOp,
    ops.SigmoidOp, ops.SiluOp,
]  # fmt: skip
NUMERIC_UNARY = [ops.NegOp, ops.AbsOp, ops.SignOp, ops.ReluOp]
NUMERIC_BINARY = [ops.AddOp, ops.SubOp, ops.MulOp, ops.DivOp, ops.PowOp, ops.MaxOp, ops.MinOp]
LOGIC_BINARY = [ops.AndOp, ops.OrOp, ops.XorOp]


def unary(op_types, elements):
    def generate(g: Gen) -> SSAValue:
        return g.make(g.choice(op_types), g.value(elements))

    return generate


def binary(op_types, elements, **props: Callable[[Gen], object]):
    def generate(g: Gen) -> SSAValue:
        a = g.value(elements)
        sa = shape_of(a.type)
        b = g.value(
            dtype=a.type.element_type,
            fits=lambda s: broadcast_shapes(s, sa) is not None,
            shape=lambda: g.partner_shape(sa),
        )
        lhs, rhs = (b, a) if g.coin(0.3) else (a, b)
        return g.make(g.choice(op_types), lhs, rhs, **{k: f(g) for k, f in props.items()})

    return generate


def gen_select(g: Gen) -> SSAValue:
    a = g.value()
    sa = shape_of(a.type)
    b = g.value(dtype=a.type.element_type, fits=lambda s: broadcast_shapes(s, sa) is not None,
                shape=lambda: g.partner_shape(sa))
    sab = broadcast_shapes(sa, shape_of(b.type))
    cond = g.value(dtype=i1, fits=lambda s: broadcast_shapes(s, sab) is not None,
                   shape=lambda: g.partner_shape(sab))
    return g.make(ops.SelectOp, cond, a, b)


def gen_gelu(g: Gen) -> SSAValue:
    return g.make(ops.GeluOp, g.value("float"), approximate=g.choice(("none", "tanh")))


def gen_clamp(g: Gen) -> SSAValue:
    x = g.value("numeric")
    if is_float(x.type.element_type):
        lo, hi = sorted(g.choice((-1.5, -0.0, 0.0, 0.25, 2.0, -math.inf, math.inf, 1e30)) for _ in "ab")
    else:
        lo, hi = sorted(float(g.rng.randint(-130, 130)) for _ in "ab")
    if g.coin(0.05):  # min > max: every element becomes max (spec; the verifier disagrees)
        lo, hi = hi + 1.0, lo
        op = ops.ClampOp.create(operands=[x], result_types=[x.type],
                                properties={"min": ops.to_attr(lo), "max": ops.to_attr(hi)})
        g.block.add_op(op)
        g.values.append(op.results[0])
        return op.results[0]
    return g.make(ops.ClampOp, x, min=lo, max=hi)


def gen_cast(g: Gen) -> SSAValue:
    x = g.value()
    return g.make(ops.CastOp, x, result_type=tensor(shape_of(x.type), g.dtype()))


def constant_attr(g: Gen, t: TensorType) -> DenseIntOrFPElementsAttr:
    size = math.prod(shape_of(t))
    count = 1 if size and g.coin(0.4) else size  # a splat, or every element
    values = random_values(g.values_rng, tensor([count], t.element_type), special=0.3)
    if is_float(t.element_type):
        items = [float(v) for v in values.astype(np.float64)]
    else:
        items = [int(v) for v in values]
    return DenseIntOrFPElementsAttr.from_list(t, items)


def gen_constant(g: Gen) -> SSAValue:
    t = tensor(g.shape(), g.dtype())
    return g.make(ops.ConstantOp, value=constant_attr(g, t))


def gen_iota(g: Gen) -> SSAValue:
    shape = g.shape(min_rank=1)
    return g.make(ops.IotaOp, result_type=tensor(shape, g.dtype("numeric")),
                  dim=g.rng.randint(-len(shape), len(shape) - 1))


def gen_broadcast_to(g: Gen) -> SSAValue:
    x = g.value()
    shape = shape_of(x.type)
    out = tuple(g.choice(DIMS) if n == 1 and g.coin(0.6) else n for n in shape)
    out = tuple(g.choice(DIMS) for _ in range(g.rng.randint(0, 2))) + out
    return g.make(ops.BroadcastToOp, x, result_type=tensor(out, x.type.element_type))


def gen_reshape(g: Gen) -> SSAValue:
    x = g.value()
    size = math.prod(shape_of(x.type))
    if size == 0:
        out = list(g.shape(min_rank=1))
        out[g.rng.randrange(len(out))] = 0
    else:
        out, rest = [], size
        for p in range(2, rest + 1):
            while rest % p == 0:
                out.append(p)
                rest //= p
        g.rng.shuffle(out)
        while len(out) > 3:  # merge factors into at most three dimensions
            out = [out[0] * out[1]] + out[2:]
        out += [1] * g.rng.randint(0, 1)
        g.rng.shuffle(out)
    return g.make(ops.ReshapeOp, x, result_type=tensor(out, x.type.element_type))


def gen_transpose(g: Gen) -> SSAValue:
    x = g.value()
    perm = list(range(len(shape_of(x.type))))
    g.rng.shuffle(perm)
    return g.make(ops.TransposeOp, x, perm=perm)


def gen_slice(g: Gen) -> SSAValue:
    x = g.value()
    start, stop, step = [], [], []
    for n in shape_of(x.type):
        lo, hi = sorted((g.rng.randint(0, n), g.rng.randint(0, n)))
        start.append(lo)
        stop.append(hi)
        step.append(g.choice((1, 1, 2, 3)))
    return g.make(ops.SliceOp, x, start=start, stop=stop, step=step)


def gen_concat(g: Gen) -> SSAValue:
    x = g.value(fits=lambda s: len(s) >= 1, shape=lambda: g.shape(min_rank=1))
    shape = shape_of(x.type)
    axis = g.rng.randrange(len(shape))

    def other() -> tuple[int, ...]:
        return shape[:axis] + (g.dim(),) + shape[axis + 1 :]

    def same_but_axis(s) -> bool:
        return len(s) == len(shape) and all(a == b for d, (a, b) in enumerate(zip(s, shape)) if d != axis)

    rest = [g.value(dtype=x.type.element_type, fits=same_but_axis, shape=other)
            for _ in range(g.rng.randint(1, 2))]
    return g.make(ops.ConcatOp, x, *rest, axis=axis - len(shape) if g.coin(0.3) else axis)


def gen_pad(g: Gen) -> SSAValue:
    x = g.value()
    rank = len(shape_of(x.type))
    value = g.choice((0.0, -0.0, 1.5, -2.0, math.nan, math.inf, 7.0))
    if not is_float(x.type.element_type) and not math.isfinite(value):
        value = 3.0
    return g.make(ops.PadOp, x, low=[g.rng.randint(0, 2) for _ in range(rank)],
                  high=[g.rng.randint(0, 2) for _ in range(rank)], value=value)


def gen_gather(g: Gen) -> SSAValue:
    x = g.value(fits=lambda s: len(s) >= 1, shape=lambda: g.shape(min_rank=1))
    shape = shape_of(x.type)
    axis = g.rng.randrange(len(shape))
    index_shape = g.shape(rank=g.choice((0, 1, 1, 2)))
    if shape[axis] == 0 and math.prod(index_shape):
        index_shape = (0,)  # no index is valid on an empty axis
    indices = g.argument(tensor(index_shape, g.choice((i32, i64))), index_bound=shape[axis])
    return g.make(ops.GatherOp, x, indices, axis=axis - len(shape) if g.coin(0.3) else axis)


def random_dims(g: Gen, rank: int) -> list[int]:
    dims = [d for d in range(rank) if g.coin(0.5)]
    return [d - rank if g.coin(0.3) else d for d in dims]


def gen_reduce(g: Gen) -> SSAValue:
    kind = g.choice(ops.REDUCE_KINDS)
    elements = {"mean": "float", "sum": "numeric", "prod": "numeric"}.get(kind, "any")
    x = g.value(elements)
    return g.make(ops.ReduceOp, x, kind=kind, dims=random_dims(g, len(shape_of(x.type))),
                  keepdim=g.coin(0.3))


def gen_arg(g: Gen) -> SSAValue:
    x = g.value(fits=lambda s: len(s) >= 1 and 0 not in s, shape=lambda: g.shape(min_rank=1))
    axis = g.rng.randrange(len(shape_of(x.type)))
    return g.make(g.choice((ops.ArgmaxOp, ops.ArgminOp)), x, axis=axis, keepdim=g.coin(0.3))


def gen_var(g: Gen) -> SSAValue:
    x = g.value("float")
    return g.make(ops.VarOp, x, dims=random_dims(g, len(shape_of(x.type))),
                  correction=g.choice((0, 1, 1, 2)), keepdim=g.coin(0.3))


def gen_matmul(g: Gen) -> SSAValue:
    a = g.value("numeric", fits=lambda s: len(s) >= 2, shape=lambda: g.shape(min_rank=2))
    sa = shape_of(a.type)
    batch = g.partner_shape(sa[:-2]) if len(sa) > 2 else ()

    def fits(s) -> bool:
        return len(s) >= 2 and s[-2] == sa[-1] and broadcast_shapes(s[:-2], sa[:-2]) is not None

    b = g.value(dtype=a.type.element_type, fits=fits, shape=lambda: batch + (sa[-1], g.dim()))
    return g.make(ops.MatmulOp, a, b)


def gen_linear(g: Gen) -> SSAValue:
    x = g.value("numeric", fits=lambda s: len(s) >= 1, shape=lambda: g.shape(min_rank=1))
    k, n, dt = shape_of(x.type)[-1], g.dim(), x.type.element_type
    w = g.value(dtype=dt, fits=lambda s: len(s) == 2 and s[1] == k, shape=lambda: (n, k))
    b = g.value(dtype=dt, fits=lambda s: s == (shape_of(w.type)[0],), shape=lambda: (shape_of(w.type)[0],))
    return g.make(ops.LinearOp, x, w, b)


def gen_softmax(g: Gen) -> SSAValue:
    x = g.value("float", fits=lambda s: len(s) >= 1, shape=lambda: g.shape(min_rank=1))
    rank = len(shape_of(x.type))
    return g.make(g.choice((ops.SoftmaxOp, ops.LogSoftmaxOp)), x, axis=g.rng.randint(-rank, rank - 1))


def gen_norm(g: Gen) -> SSAValue:
    x = g.value("float", fits=lambda s: len(s) >= 1, shape=lambda: g.shape(min_rank=1))
    shape = shape_of(x.type)
    axis = g.rng.randint(-len(shape), len(shape) - 1)
    trailing = shape[axis:]
    params = [g.value(dtype=x.type.element_type, fits=lambda s: s == trailing, shape=lambda: trailing)
              for _ in range(2)]
    epsilon = g.choice((1e-5, 1e-6, 0.1))
    if g.coin(0.5):
        return g.make(ops.LayerNormOp, x, *params, axis=axis, epsilon=epsilon)
    return g.make(ops.RmsNormOp, x, params[0], axis=axis, epsilon=epsilon)


def gen_attention(g: Gen) -> SSAValue:
    batch, s, t, d, e = g.shape(rank=g.choice((0, 1, 2))), g.dim(), g.dim(), g.dim(), g.dim()
    dt = g.dtype("float")
    q = g.value(dtype=dt, fits=lambda sh: len(sh) >= 2, shape=lambda: batch + (s, d))
    sq = shape_of(q.type)
    k = g.value(dtype=dt, fits=lambda sh: len(sh) >= 2 and sh[-1] == sq[-1]
                and broadcast_shapes(sh[:-2], sq[:-2]) is not None,
                shape=lambda: g.partner_shape(sq[:-2]) + (t, sq[-1]))
    sk = shape_of(k.type)
    v = g.value(dtype=dt, fits=lambda sh: len(sh) >= 2 and sh[-2] == sk[-2]
                and broadcast_shapes(sh[:-2], sq[:-2], sk[:-2]) is not None,
                shape=lambda: sk[:-2] + (sk[-2], e))
    return g.make(ops.AttentionOp, q, k, v, scale=g.choice((0.125, 0.5, 1.0)), causal=g.coin(0.5))


GENERATORS: dict[str, Callable[[Gen], SSAValue]] = {
    "float-unary": unary(FLOAT_UNARY, "float"),
    "numeric-unary": unary(NUMERIC_UNARY, "numeric"),
    "not": unary([ops.NotOp], "i1"),
    "gelu": gen_gelu,
    "clamp": gen_clamp,
    "binary": binary(NUMERIC_BINARY, "numeric"),
    "max-min": binary([ops.MaxOp, ops.MinOp], "any"),
    "logic": binary(LOGIC_BINARY, "i1"),
    "cmp": binary([ops.CmpOp], "any", predicate=lambda g: g.choice(ops.PREDICATES)),
    "select": gen_select,
    "cast": gen_cast,
    "constant": gen_constant,
    "iota": gen_iota,
    "broadcast_to": gen_broadcast_to,
    "reshape": gen_reshape,
    "transpose": gen_transpose,
    "slice": gen_slice,
    "concat": gen_concat,
    "pad": gen_pad,
    "gather": gen_gather,
    "reduce": gen_reduce,
    "argmax-argmin": gen_arg,
    "var": gen_var,
    "matmul": gen_matmul,
    "linear": gen_linear,
    "softmax": gen_softmax,
    "norm": gen_norm,
    "attention": gen_attention,
}
WEIGHTS = {"float-unary": 4, "binary": 4, "numeric-unary": 2, "cmp": 2, "cast": 2}


def generate(
    seed: int,
    max_ops: int = 12,
    *,
    fused: bool = True,
    special: float = 0.15,
    bad_index: float = 0.02,
    zero_dims: float = 0.05,
    exclude: frozenset[str] = frozenset(),
) -> Program:
    """A random program of 1..max_ops ops (seeded) and its inputs.

    The module's `@f_all` returns every op's result in program order (so each op can
    be checked on its own); with `fused`, `@f` has the same body and returns only the
    results nothing else uses. `exclude` names GENERATORS not to use."""
    g = Gen(seed, zero_dims)
    names = [n for n in GENERATORS if n not in exclude]
    weights = [WEIGHTS.get(n, 1) for n in names]
    target = g.rng.randint(1, max_ops)
    attempts = 0
    while len(g.block.ops) < target and attempts < 20 * max_ops:
        attempts += 1
        try:
            GENERATORS[g.rng.choices(names, weights)[0]](g)
        except Skip:
            continue
    if not g.block.ops:
        g.make(ops.NegOp, g.argument(tensor(g.shape(), g.dtype("numeric"))))
    inputs = [
        random_indices(g.values_rng, a.type, g.index_bounds[a.index], bad_index)
        if a.index in g.index_bounds
        else random_values(g.values_rng, a.type, special if g.coin(0.7) else 0.0)
        for a in g.block.args
    ]
    body = Region(g.block)
    functions = [_function("f_all", body.clone(), every=True)]
    if fused:
        functions.append(_function("f", body.clone(), every=False))
    return Program(seed, ModuleOp(functions), inputs, dict(g.index_bounds))


def _function(name: str, body: Region, every: bool) -> func.FuncOp:
    """`func.func @name` around `body`, returning every op result or only the unused ones."""
    block = body.block
    results = [op.results[0] for op in block.ops]
    if not every:
        results = [r for r in results if not r.uses]
    block.add_op(func.ReturnOp(*results))
    types = [r.type for r in results]
    return func.FuncOp(name, ([a.type for a in block.args], types), body)
