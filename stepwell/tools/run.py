"""`stepwell-run`: call one function of an IR file on .npy inputs.

    stepwell-run model.mlir --entry f --target reference --input x.npy w.npy --output y.npy

It parses and verifies the file, checks each input's shape and dtype against the
function's signature (bf16 arrays are `ml_dtypes.bfloat16`; `np.save` stores them as
raw 2-byte records, which are read back as bf16 where the signature says bf16), runs
the function on the target and saves one .npy per result (without `--output` it
prints them). Targets: `reference` (the numpy interpreter, `stepwell.reference`), and
every target of the registry (`cpu`, and those plugins register) through
`stepwell.compile`.
"""

from __future__ import annotations

import sys

import numpy as np
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.dialects.func import FuncOp

from stepwell import registry
from stepwell.ir.diagnostics import DiagnosticError, with_hints
from stepwell.ir.parse import parse_module, verify_module
from stepwell.ir.render import render
from stepwell.tools.common import (
    ArgumentParser,
    Reported,
    ToolError,
    add_plugin_arguments,
    load_plugins,
    print_traceback_if_debugging,
    read_source,
    run_tool,
)


def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog="stepwell-run", description="Run a function of an IR file on .npy inputs.")
    p.add_argument("input_file", metavar="FILE", help="IR file ('-': stdin)")
    p.add_argument("--entry", metavar="F", help="function to call (default: the only one)")
    p.add_argument("--target", default="cpu", metavar="T",
                   help="where to run it: reference, or a registered target (default: cpu)")
    p.add_argument("--input", dest="inputs", action="extend", nargs="+", default=[], metavar="X.npy",
                   help="one .npy per argument, in order (repeatable)")
    p.add_argument("--output", dest="outputs", action="extend", nargs="+", default=[], metavar="Y.npy",
                   help="one .npy per result, in order (default: print the results)")
    add_plugin_arguments(p)
    return p


def main(argv: list[str] | None = None) -> int:
    return run_tool(_main, argv)


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    load_plugins(args.plugins)
    _check_target(args.target)
    text, name = read_source(args.input_file)
    module = _load(text, name)
    func = _find_entry(module, args.entry, name)
    arrays = [_read_input(path, i, t, func) for i, (path, t) in enumerate(_arguments(func, args.inputs))]
    results = _execute(module, func, args.target, arrays)
    _check_results(results, func, args.target)
    if not args.outputs:
        for i, r in enumerate(results):
            print(f"result {i}: {_describe_array(r)}\n{np.array2string(np.asarray(r), threshold=1000)}")
        return 0
    if len(args.outputs) != len(results):
        raise ToolError(f"@{func.sym_name.data} has {len(results)} result(s) but {len(args.outputs)} --output file(s) were given")
    for path, r in zip(args.outputs, results):
        try:
            with open(path, "wb") as f:
                np.save(f, r, allow_pickle=False)
        except OSError as e:
            raise ToolError(f"cannot write '{path}': {e.strerror or e}") from None
    return 0


def _check_target(target: str) -> None:
    """Refuse an unregistered target before any input is read."""
    if target == "reference":
        return
    from stepwell.compiler import TargetUnavailable, find_target

    try:
        find_target(target)
    except TargetUnavailable as e:
        raise ToolError(f"{e}, or reference (the numpy interpreter)") from None


def _load(text: str, name: str) -> ModuleOp:
    lines = text.splitlines()
    try:
        module, locations = parse_module(registry.make_context(), text, name)
    except DiagnosticError as e:
        problems = with_hints(e.diagnostics, text)
    else:
        problems = verify_module(module, locations, name)
        if not problems:
            return module
    for d in problems:
        print(render(d, lines), file=sys.stderr)
    raise Reported()


def _find_entry(module: ModuleOp, entry: str | None, name: str) -> FuncOp:
    funcs = {op.sym_name.data: op for op in module.walk() if isinstance(op, FuncOp)}
    if not funcs:
        raise ToolError(f"{name} has no func.func to run")
    if entry is None:
        if len(funcs) > 1:
            raise ToolError(f"{name} has several functions; pick one with --entry ({_names(funcs)})")
        return next(iter(funcs.values()))
    func = funcs.get(entry.removeprefix("@"))
    if func is None:
        raise ToolError(f"no function '@{entry.removeprefix('@')}' in {name} (functions: {_names(funcs)})")
    return func


def _names(funcs) -> str:
    return ", ".join(f"@{n}" for n in funcs)


def _arguments(func: FuncOp, paths: list[str]):
    types = func.function_type.inputs.data
    if len(paths) != len(types):
        raise ToolError(
            f"@{func.sym_name.data} takes {len(types)} argument(s) but {len(paths)} --input file(s) were given"
        )
    return list(zip(paths, types))


def numpy_dtype(element_type) -> np.dtype:
    import ml_dtypes

    table = {
        "f16": np.float16, "bf16": ml_dtypes.bfloat16, "f32": np.float32, "f64": np.float64,
        "i1": np.bool_, "i8": np.int8, "i32": np.int32, "i64": np.int64,
    }
    key = str(element_type)
    if key not in table:
        raise ToolError(f"element type {key} has no numpy dtype")
    return np.dtype(table[key])


def _read_input(path: str, index: int, t, func: FuncOp) -> np.ndarray:
    where = f"argument {index} of @{func.sym_name.data}"
    if not isinstance(t, TensorType):
        raise ToolError(f"{where} has type {t}; stepwell-run passes tensors only")
    try:
        with open(path, "rb") as f:
            if f.read(6) != b"\x93NUMPY":
                raise ToolError(f"input '{path}' is not a .npy file")
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        raise ToolError(f"cannot read input '{path}': {getattr(e, 'strerror', None) or e}") from None
    if not isinstance(array, np.ndarray):
        raise ToolError(f"input '{path}' is not a single .npy array")
    want = numpy_dtype(t.element_type)
    if array.dtype.kind == "V" and array.dtype.itemsize == want.itemsize and want.kind == "V":
        array = array.view(want)  # np.save writes bf16 as raw 2-byte records
    shape = tuple(t.get_shape())
    if array.shape != shape or array.dtype != want:
        raise ToolError(
            f"input '{path}' is {_describe_array(array)}, but {where} is {t} "
            f"(shape {shape}, dtype {want})"
        )
    return array


def _describe_array(a) -> str:
    a = np.asarray(a)
    return f"an array of shape {a.shape} and dtype {a.dtype}"


def _execute(module: ModuleOp, func: FuncOp, target: str, arrays: list[np.ndarray]) -> tuple:
    entry = func.sym_name.data
    if target == "reference":
        try:
            from stepwell.reference import run
        except ImportError:
            print_traceback_if_debugging()
            raise ToolError("target reference is not available yet") from None
        call = lambda: run(module, entry, *arrays)  # noqa: E731
    else:
        from stepwell.compiler import compile

        try:
            compiled = compile(module, entry, target)
        except Exception as e:
            print_traceback_if_debugging()
            raise ToolError(f"cannot compile @{entry} for {target}: {_explain(e)}") from None
        call = lambda: compiled(*arrays)  # noqa: E731
    try:
        result = call()
    except Exception as e:
        print_traceback_if_debugging()
        raise ToolError(f"running @{entry} on {target} failed: {_explain(e)}") from None
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def _check_results(results: tuple, func: FuncOp, target: str) -> None:
    types = func.function_type.outputs.data
    if len(results) != len(types):
        raise ToolError(f"target {target} returned {len(results)} result(s), @{func.sym_name.data} declares {len(types)}")
    for i, (r, t) in enumerate(zip(results, types)):
        r = np.asarray(r)
        if isinstance(t, TensorType) and (r.shape != tuple(t.get_shape()) or r.dtype != numpy_dtype(t.element_type)):
            raise ToolError(f"target {target} returned {_describe_array(r)} for result {i}, declared {t}")


def _explain(e: Exception) -> str:
    """The message of an error meant for the user (a diagnostic, a compile error, an
    input with no defined result); anything else is named by its class."""
    from stepwell.compiler import CompileError
    from stepwell.reference.evaluators import EvaluationError
    from stepwell.targets import Unavailable

    if isinstance(e, (DiagnosticError, CompileError, EvaluationError, Unavailable)):
        return str(e)
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


if __name__ == "__main__":
    sys.exit(main())
