"""Damaged programs for the parser and verifier, and the check that each one ends in
success or a located error.

    for text in mutants(valid_text, seed, count=50): problem = check_mutant(text)

A mutant is a valid program after one or two token-level edits from `MUTATIONS` (one
small function each): delete, duplicate or swap tokens, numbers made huge, negative or
zero, element types changed, the text truncated, quotes and brackets inserted, values
renamed, lines copied, types nested hundreds deep.

`check_mutant` runs `stepwell-opt` in-process (`stepwell.tools.opt.main`, stdout and
stderr captured) and the Python parse path (`stepwell.reference.load_module`); the
answer is None when both succeed or fail with `FILE:LINE:COL: error: ...` and no
traceback or internal exception class in the message, else what was wrong.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable

TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"'  # a string
    r"|0x[0-9a-fA-F]+|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"  # a number
    r"|[%@^#!]?[A-Za-z_][\w.$]*"  # a name, keyword or type
    r"|->|\s+|."  # an arrow, white space, any other character
)
NUMBERS = ["0", "-1", "-7", "1", "2147483648", "9223372036854775807", "9223372036854775808",
           "18446744073709551616", "100000000000000000000", "-9223372036854775809", "1e400",
           "1.5", "-0.0", "0x7FF8000000000000", "0xFFFFFFFFFFFFFFFF", "00", "1e-400"]
ELEMENTS = ["f16", "bf16", "f32", "f64", "i1", "i8", "i32", "i64"]
ODD_TYPES = ["i128", "i0", "ui8", "si32", "index", "f80", "f128", "tf32", "none",
             "complex<f32>", "vector<4xf32>", "tensor<?xf32>", "memref<4xf32>", "f8E4M3FN"]
INSERTS = ['"', "<", ">", "{", "}", "(", ")", "[", "]", ":", ",", "%", "@", "#", "!", "\\",
           "\x00", "'", "->", "=", "?", "\n", "//", "^bb0:", "0x", "-", "e"]  # fmt: skip
DEPTH = (50, 500, 3000)

Tokens = list[str]


def tokenize(text: str) -> Tokens:
    return TOKEN.findall(text)


def _solid(tokens: Tokens) -> list[int]:
    """Positions of the tokens that are not white space."""
    return [i for i, t in enumerate(tokens) if not t.isspace()] or [0]


def _where(rng: random.Random, tokens: Tokens, pattern: str) -> int | None:
    found = [i for i, t in enumerate(tokens) if re.fullmatch(pattern, t)]
    return rng.choice(found) if found else None


def delete(rng, tokens):
    del tokens[rng.choice(_solid(tokens))]


def duplicate(rng, tokens):
    i = rng.choice(_solid(tokens))
    tokens.insert(i, tokens[i])


def swap(rng, tokens):
    solid = _solid(tokens)
    if len(solid) > 1:
        k = rng.randrange(len(solid) - 1)
        i, j = solid[k], solid[k + 1] if rng.random() < 0.7 else rng.choice(solid)
        tokens[i], tokens[j] = tokens[j], tokens[i]


def number(rng, tokens):
    i = _where(rng, tokens, r"-?\d.*|0x.*")
    if i is not None:
        tokens[i] = rng.choice(NUMBERS)


def in_shape(rng, tokens):
    """A dimension inside a shape: `4x8xf32` reads as one name token after the number."""
    i = _where(rng, tokens, r"x[\dx]*[a-z]\w*|\d+")
    if i is not None:
        tokens[i] = re.sub(r"\d+", lambda m: rng.choice(NUMBERS[:10]).lstrip("-"), tokens[i], count=1)


def element_type(rng, tokens):
    i = _where(rng, tokens, r"x?(bf16|[fi]\d+)\b.*|(\d+x)*(bf16|[fi]\d+)")
    if i is not None:
        new = rng.choice(ELEMENTS + ODD_TYPES)
        tokens[i] = re.sub(r"(bf16|[fi]\d+)", new, tokens[i], count=1)


def truncate(rng, tokens):
    del tokens[rng.randrange(len(tokens) + 1) :]


def insert(rng, tokens):
    tokens.insert(rng.randrange(len(tokens) + 1), rng.choice(INSERTS))


def rename(rng, tokens):
    i, j = _where(rng, tokens, r"%\w+"), _where(rng, tokens, r"%\w+|@\w+")
    if i is not None and j is not None:
        tokens[i] = tokens[j]


def copy_line(rng, tokens):
    lines = "".join(tokens).splitlines(keepends=True)
    if lines:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(lines))
        tokens[:] = tokenize("".join(lines))


def nest(rng, tokens):
    depth = rng.choice(DEPTH)
    i = _where(rng, tokens, r"tensor|dense|array")
    if i is None:
        return
    if rng.random() < 0.5:
        tokens[i] = "tensor<1x" * depth + "f32" + ">" * depth + " "
    else:
        tokens.insert(i, "[" * depth)
        tokens.insert(i + 1, "]" * depth)


MUTATIONS: dict[str, Callable[[random.Random, Tokens], None]] = {
    "delete": delete,
    "duplicate": duplicate,
    "swap": swap,
    "number": number,
    "in-shape": in_shape,
    "element-type": element_type,
    "truncate": truncate,
    "insert": insert,
    "rename": rename,
    "copy-line": copy_line,
    "nest": nest,
}


def mutants(text: str, seed: int, count: int):
    """`count` mutants of `text`, each after one or two mutations: (names, mutant)."""
    rng = random.Random(seed)
    tokens = tokenize(text)
    assert "".join(tokens) == text, "the tokenizer must keep every character"
    for _ in range(count):
        new = list(tokens)
        names = rng.sample(sorted(MUTATIONS), rng.choice((1, 1, 2)))
        for name in names:
            MUTATIONS[name](rng, new)
        yield names, "".join(new)


# --- checking one mutant -------------------------------------------------------------

NAME = "mutant.mlir"
LOCATED = re.compile(rf"^{re.escape(NAME)}:[1-9]\d*:[1-9]\d*: error: ")
INTERNAL = re.compile(r"Traceback|internal error|\b[A-Z]\w*(?:Error|Exception)\b|\bKeyboardInterrupt\b")


class _Timeout(BaseException):
    """Not an Exception, so that no `except Exception` inside the tools swallows it."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    def expire(signum, frame):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def judge(status: int, stdout: str, stderr: str) -> str | None:
    """None when a stepwell-opt run succeeded or failed with located errors only."""
    errors = [line for line in stderr.splitlines() if "error" in line]
    if INTERNAL.search(stderr):
        return f"internal exception in the message: {stderr.strip()[:600]}"
    if status == 0:
        return f"exit 0 with errors: {stderr.strip()[:600]}" if errors else None
    if status != 1:
        return f"exit status {status}: {stderr.strip()[:600]}"
    if stdout:
        return f"exit 1 but wrote output: {stdout[:200]}"
    unlocated = [line for line in errors if "error:" in line and not LOCATED.match(line)]
    if not errors or unlocated:
        return f"an error without FILE:LINE:COL: {(unlocated or [stderr])[0].strip()[:600]}"
    return None


def run_opt(path: str, args: list[str], seconds: float) -> tuple[int, str, str]:
    """stepwell-opt in this process: (exit status, stdout, stderr); status -1 on timeout."""
    from stepwell.tools import opt

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _time_limit(seconds):
            status = opt.main([path, *args])
    except _Timeout:
        return -1, out.getvalue(), err.getvalue() + f"\n(no answer within {seconds} s)"
    return status, out.getvalue(), err.getvalue()


def run_opt_process(path: str, args: list[str], seconds: float) -> tuple[int, str, str]:
    """stepwell-opt as a separate process (what a user runs)."""
    command = [sys.executable, "-m", "stepwell.tools.opt", path, *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds,
                              cwd=os.path.dirname(path))
    except subprocess.TimeoutExpired:
        return -1, "", f"(no answer within {seconds} s)"
    return done.returncode, done.stdout, done.stderr


def check_python_parse(text: str, seconds: float) -> str | None:
    """The Python path (what `stepwell.reference.run` and `compile` do first)."""
    from stepwell.ir.diagnostics import DiagnosticError
    from stepwell.reference import load_module

    try:
        with _time_limit(seconds):
            load_module(text, NAME)
    except DiagnosticError as e:
        bad = [str(d) for d in e.diagnostics if d.line < 1 or d.col < 1 or INTERNAL.search(d.message)]
        return f"python parse path: {bad[0][:600]}" if bad else None
    except _Timeout:
        return f"python parse path: no answer within {seconds} s"
    except Exception as e:  # noqa: BLE001
        return f"python parse path raised {type(e).__name__}: {str(e)[:400]}"
    return None


def check_mutant(text: str, pipeline: str | None = None, seconds: float = 10.0,
                 subprocess_run: bool = False) -> str | None:
    """What is wrong with how stepwell answers `text` (None: nothing)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, NAME)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        args = ["-p", pipeline] if pipeline else []
        run = run_opt_process if subprocess_run else run_opt
        status, out, err = run(path, args, seconds)
        if status == -1:
            return f"stepwell-opt {' '.join(args)}: no answer within {seconds} s"
        problem = judge(status, out, err.replace(path, NAME))
        if problem:
            return f"stepwell-opt {' '.join(args)}: {problem}"
    return check_python_parse(text, seconds)
