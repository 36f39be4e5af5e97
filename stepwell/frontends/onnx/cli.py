"""`stepwell-import-onnx model.onnx -o model.mlir`: an ONNX model as tensor_graph text.

Bad input (a missing file, an unsupported op, dtype or dynamic dimension) prints
`error: ...` naming the node and exits 1, writing nothing to the output.
"""

from __future__ import annotations

import sys

from stepwell.tools.common import ArgumentParser, ToolError, run_tool


def build_parser() -> ArgumentParser:
    p = ArgumentParser(prog="stepwell-import-onnx", description="Import an ONNX model as tensor_graph IR.")
    p.add_argument("model", metavar="MODEL.onnx", help="the ONNX model")
    p.add_argument("-o", dest="output", metavar="OUT.mlir", default="-", help="where to write the IR (default: stdout)")
    p.add_argument("--entry", default="main", help="the name of the imported function (default: main)")
    p.add_argument(
        "--inline-limit", type=int, default=None, metavar="BYTES",
        help="constants bigger than this are dense_resource blobs, printed once as hex at the end (default: 1024)",
    )  # fmt: skip
    return p


def main(argv: list[str] | None = None) -> int:
    return run_tool(_main, argv)


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from stepwell.frontends.onnx import OnnxImportError, load
    except ImportError as e:
        raise ToolError(f"the onnx package is needed: pip install 'stepwell[onnx]' ({e})") from None
    from stepwell.ir.printer import to_text

    try:
        limit = {} if args.inline_limit is None else {"inline_limit": args.inline_limit}
        text = to_text(load(args.model, entry=args.entry, **limit)) + "\n"
    except OnnxImportError as e:
        raise ToolError(f"{args.model}: {e}") from None
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise ToolError(f"cannot write '{args.output}': {e.strerror or e}") from None
    return 0
