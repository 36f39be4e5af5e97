"""`stepwell-opt`: read IR, run a pass pipeline over it, write it out (mlir-opt's flags).

The output is written only when the run succeeds: on any error the tool prints
`FILE:LINE:COL: error: ...` to stderr, exits 1 and leaves stdout / `-o` untouched.
"""

from __future__ import annotations

import argparse
import sys

from stepwell import registry
from stepwell.ir.pipeline import PipelineError, build_pipeline, describe_options
from stepwell.ir.render import render
from stepwell.ir.verify_diagnostics import check, parse_expectations
from stepwell.tools.common import (
    ArgumentParser,
    ToolError,
    add_plugin_arguments,
    load_plugins,
    read_source,
    run_tool,
)
from stepwell.tools.driver import Driver, Options
from stepwell.tools.emitters import EMITTERS
from stepwell.tools.timing import Timing

SPLIT_MARKER = "// -----"

EPILOG = """\
pipelines (-p / --pass-pipeline):
  xDSL form       canonicalize,cse,activation-decompose{ops=mish}
  mlir-opt form   builtin.module(func.func(canonicalize,cse),dce)
  named           lower-to-cpu            (see --list-passes)
Every stepwell pass is a module pass: passes nested in func.func(...) or any(...)
run on the whole module; the nesting only groups them.

Set STEPWELL_DEBUG=1 to see Python tracebacks of internal errors.
"""


def build_parser() -> ArgumentParser:
    import stepwell._builtin_registrations  # noqa: F401  (the built-in emitters, for --help)

    p = ArgumentParser(
        prog="stepwell-opt",
        description="Run stepwell passes over IR text, as mlir-opt does.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", nargs="?", default="-", metavar="FILE", help="input IR ('-' or absent: stdin)")
    p.add_argument("-p", "--pass-pipeline", "--passes", dest="pipeline", action="append", default=[],
                   metavar="PIPELINE", help="passes to run (repeatable: the pipelines run one after another)")
    p.add_argument("-o", "--output", default="-", metavar="OUT", help="output file ('-': stdout)")
    p.add_argument("--emit", default="mlir", metavar="FORMAT",
                   help=f"what to write: {', '.join(EMITTERS)} (default: mlir)")
    p.add_argument("--split-input-file", action="store_true",
                   help=f"process each chunk between '{SPLIT_MARKER}' lines on its own "
                   "(--split-input-file=MARKER: other separator lines)")
    p.add_argument("--split-marker", default=SPLIT_MARKER, help=argparse.SUPPRESS)
    p.add_argument("--remarks", default="", metavar="PASSES",
                   help="report the remarks of these passes (a comma list of pass names, or 'all'), "
                   "as MLIR's -Rpass: e.g. --remarks=loops-fuse prints each fusion decision with the "
                   "bytes it saves; the same as the pass option remarks=true, without editing the pipeline")
    p.add_argument("--verify-diagnostics", action="store_true",
                   help="check diagnostics against expected-error/warning/remark/note annotations")
    p.add_argument("--print-ir-before-all", "--mlir-print-ir-before-all", action="store_true",
                   help="print the IR to stderr before each pass")
    p.add_argument("--print-ir-after-all", "--mlir-print-ir-after-all", action="store_true",
                   help="print the IR to stderr after each pass")
    p.add_argument("--mlir-print-op-generic", "--print-op-generic", action="store_true",
                   help="print ops in the generic form")
    p.add_argument("--mlir-timing", action="store_true", help="report the time of each pass on stderr")
    p.add_argument("--allow-unregistered-dialect", action="store_true",
                   help="accept ops of dialects stepwell does not know")
    add_plugin_arguments(p)
    p.add_argument("--list-passes", action="store_true",
                   help="list passes (with options), named pipelines, dialects and emitters")
    return p


def main(argv: list[str] | None = None) -> int:
    return run_tool(_main, argv)


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(_split_marker_argument(sys.argv[1:] if argv is None else argv))
    timing = Timing() if args.mlir_timing else None
    load_plugins(args.plugins)
    if args.list_passes:
        sys.stdout.write(_listing())
        return 0
    try:  # registry.passes() also loads the built-in registrations, emitters included
        passes = build_pipeline(",".join(args.pipeline), registry.passes(), registry.pipelines())
    except PipelineError as e:
        raise ToolError(str(e)) from None
    if args.emit not in EMITTERS:
        raise ToolError(f"unknown --emit format '{args.emit}' (available: {', '.join(EMITTERS)})")
    text, name = read_source(args.input)

    remarks = _remark_passes(args.remarks)
    options = Options(args.emit, args.mlir_print_op_generic, args.print_ir_before_all, args.print_ir_after_all, remarks)
    driver = Driver(registry.make_context(args.allow_unregistered_dialect), passes, options, timing)
    source_lines = text.splitlines()
    outputs, ok = [], True
    for chunk, offset in _chunks(text, args.split_marker if args.split_input_file else None):
        result = driver.process(chunk, name, offset)
        if args.verify_diagnostics:
            expectations, problems = parse_expectations(chunk, name, offset)
            problems += check(result.diagnostics, expectations, name)
            ok &= not problems
        else:
            problems = result.diagnostics
            ok &= not result.failed
        for diag in problems:
            print(render(diag, source_lines), file=sys.stderr)
        outputs.append(result.output or "")
    if timing is not None:
        sys.stderr.write(timing.report())
    if not ok:
        return 1
    _write(args.output, (SPLIT_MARKER + "\n").join(outputs))
    return 0


def _remark_passes(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    known = registry.passes()
    for n in names:
        if n != "all" and n not in known:
            raise ToolError(f"--remarks: unknown pass '{n}' (a comma list of pass names, or 'all'; see --list-passes)")
    return names


def _split_marker_argument(argv: list[str]) -> list[str]:
    """`--split-input-file=MARKER` (mlir-opt's spelling) as two arguments; a plain
    `--split-input-file` never takes the next argument as its marker."""
    out = []
    for arg in argv:
        if arg.startswith("--split-input-file="):
            out += ["--split-input-file", "--split-marker=" + arg.split("=", 1)[1]]
        else:
            out.append(arg)
    return out


def _chunks(text: str, marker: str | None) -> list[tuple[str, int]]:
    """(chunk text, number of lines before it); one chunk unless splitting."""
    if marker is None:
        return [(text, 0)]
    chunks, current, start = [], [], 0
    for index, line in enumerate(text.splitlines(keepends=True)):
        if line.strip().startswith(marker):
            chunks.append(("".join(current), start))
            current, start = [], index + 1
        else:
            current.append(line)
    chunks.append(("".join(current), start))
    return chunks


def _write(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise ToolError(f"cannot write '{path}': {e.strerror or e}") from None


def _listing() -> str:
    lines = ["passes:"]
    for name, factory in sorted(registry.passes().items()):
        try:
            described = describe_options(factory(), name)
        except Exception as e:
            lines.append(f"  {name}  (cannot be loaded: {type(e).__name__}: {e})")
            continue
        lines.append(f"  {name}")
        lines += [f"    {line.strip()}" for line in described.splitlines()[1:]]
    lines.append("named pipelines:")
    lines += [f"  {name} = {spec}" for name, spec in sorted(registry.pipelines().items())] or ["  (none)"]
    lines.append("dialects: " + ", ".join(sorted(registry.dialects())))
    lines.append("emitters: " + ", ".join(EMITTERS))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
