"""What both tools share: argument errors that exit 1, reading the input, plugins,
and turning failures into `error: ...` lines instead of tracebacks."""

from __future__ import annotations

import argparse
import os
import sys
import traceback


class ToolError(Exception):
    """An error for the user: the tool prints `error: <message>` and exits 1."""


class Reported(Exception):
    """A failure whose diagnostics were already printed: just exit 1."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises ToolError (exit status 1, like mlir-opt) on bad arguments."""

    def error(self, message: str):  # type: ignore[override]
        raise ToolError(f"{message} (see {self.prog} --help)")


def debugging() -> bool:
    return os.environ.get("STEPWELL_DEBUG", "") not in ("", "0")


def print_traceback_if_debugging() -> None:
    if debugging():
        traceback.print_exc()


def error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def read_source(path: str) -> tuple[str, str]:
    """(text, name shown in diagnostics) of `path`, '-' meaning stdin."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        with open(path, encoding="utf-8") as f:
            return f.read(), path
    except IsADirectoryError:
        raise ToolError(f"cannot read '{path}': it is a directory") from None
    except OSError as e:
        raise ToolError(f"cannot read '{path}': {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ToolError(f"cannot read '{path}': it is not UTF-8 text") from None


def add_plugin_arguments(parser: argparse.ArgumentParser) -> None:
    for flag, what in (("--load-dialect-plugin", "dialects"), ("--load-pass-plugin", "passes")):
        parser.add_argument(
            flag,
            dest="plugins",
            action="append",
            default=[],
            metavar="FILE_OR_MODULE",
            help=f"import a plugin that registers {what} (a .py file or a module name; repeatable)",
        )


def load_plugins(specs: list[str]) -> None:
    """Entry-point plugins (warnings for broken ones), then the ones named by flags."""
    from stepwell.plugins import PluginError, load_entry_point_plugins, load_plugin

    for problem in load_entry_point_plugins():
        print(f"warning: {problem}", file=sys.stderr)
    for spec in specs:
        try:
            load_plugin(spec)
        except PluginError as e:
            print_traceback_if_debugging()
            raise ToolError(str(e)) from None


def run_tool(body, argv: list[str] | None) -> int:
    """Run `body(argv)`; turn ToolError and any stray exception into exit status 1."""
    try:
        return body(argv)
    except ToolError as e:
        return error(str(e))
    except Reported:
        return 1
    except KeyboardInterrupt:
        return error("interrupted")
    except BrokenPipeError:
        return 1
    except Exception as e:
        print_traceback_if_debugging()
        return error(
            f"internal error: {type(e).__name__}: {e} (set STEPWELL_DEBUG=1 for a traceback)"
        )
