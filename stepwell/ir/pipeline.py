"""Pass pipelines as text: xDSL's flat form and mlir-opt's nested form.

    canonicalize,cse,activation-decompose{ops=mish}          (xDSL)
    builtin.module(func.func(canonicalize,cse),dce)          (mlir-opt)
    lower-to-cpu                                             (a named pipeline)

Grammar (whitespace allowed around `,`, `(` and `)`):

    pipeline := element (',' element)*
    element  := ANCHOR '(' pipeline? ')'  |  NAME options?
    options  := '{' key[=value[,value]*] (' ' key[=value...])* '}'

ANCHOR is `builtin.module`, `func.func` or `any`. Every stepwell pass is a module pass,
so a pass anchored on `func.func` or `any` runs on the whole module: nesting only groups
passes. NAME is a registered pass or a named pipeline (`registry.register_pipeline`),
which expands in place. Options are xDSL's (`xdsl.utils.arg_spec`), checked against
the pass's dataclass fields; `-` and `_` in option names are the same,
integers are accepted for float options and a bare boolean option means true.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from xdsl.passes import ModulePass
from xdsl.utils.arg_spec import ArgSpec, parse_spec
from xdsl.utils.exceptions import ArgSpecParseError
from xdsl.utils.hints import isa

ANCHORS = ("builtin.module", "func.func", "any")
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


class PipelineError(ValueError):
    """A pipeline a human wrote wrong; `str()` is the message to show them."""

    def __init__(self, message: str, spec: str | None = None, pos: int | None = None):
        if spec is not None and pos is not None:
            message += f"\n  {spec}\n  {' ' * pos}^"
        super().__init__(message)


class _CycleError(PipelineError):
    pass


@dataclass(frozen=True)
class PassStep:
    """One pass of a pipeline as written: its name, its `{...}` text, where it nests."""

    name: str
    options: str = ""
    anchor: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name + self.options


# --- parsing ---------------------------------------------------------------------


class _Reader:
    def __init__(self, spec: str):
        self.spec, self.pos = spec, 0

    def skip_space(self) -> None:
        while self.pos < len(self.spec) and self.spec[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.spec[self.pos] if self.pos < len(self.spec) else ""

    def fail(self, message: str, pos: int | None = None) -> PipelineError:
        return PipelineError(f"bad pass pipeline: {message}", self.spec, self.pos if pos is None else pos)

    def name(self) -> str:
        self.skip_space()
        start = self.pos
        while self.pos < len(self.spec) and self.spec[self.pos] in _NAME_CHARS:
            self.pos += 1
        if start == self.pos:
            found = f"'{self.spec[self.pos]}'" if self.pos < len(self.spec) else "the end"
            raise self.fail(f"expected a pass name, found {found}")
        return self.spec[start : self.pos]

    def options(self) -> str:
        """The balanced `{...}` text at the cursor; quoted strings may hold braces."""
        start, depth, quoted = self.pos, 0, False
        while self.pos < len(self.spec):
            c = self.spec[self.pos]
            self.pos += 1
            if quoted:
                if c == "\\":
                    self.pos += 1
                elif c == '"':
                    quoted = False
            elif c == '"':
                quoted = True
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return self.spec[start : self.pos]
        raise self.fail("unterminated '{' (pass options end with '}')", start)


def _parse_list(r: _Reader, anchor: tuple[str, ...], closer: str) -> list[tuple[PassStep, int]]:
    out: list[tuple[PassStep, int]] = []
    if r.peek() == closer:
        return out
    while True:
        r.skip_space()
        start = r.pos
        name = r.name()
        if r.peek() == "(":
            if name not in ANCHORS:
                raise r.fail(
                    f"unknown anchor '{name}' (nest passes in {', '.join(ANCHORS)})", start
                )
            r.pos += 1
            out += _parse_list(r, anchor + (name,), ")")
            if r.peek() != ")":
                raise r.fail(f"expected ',' or ')' to close '{name}('")
            r.pos += 1
        else:
            options = r.options() if r.peek() == "{" else ""
            out.append((PassStep(name, options, anchor), start))
        nxt = r.peek()
        if nxt == ",":
            r.pos += 1
            continue
        if nxt == closer:
            return out
        expected = "',' or ')'" if closer == ")" else "',' or the end"
        found = f"'{nxt}'" if nxt else "the end"
        raise r.fail(f"expected {expected} after '{name}', found {found}")


def parse_pipeline(spec: str, named: Mapping[str, str] | None = None) -> list[PassStep]:
    """The passes `spec` runs, in order, with named pipelines expanded."""
    return _expand(spec, dict(named or {}), ())


def _expand(spec: str, named: dict[str, str], active: tuple[str, ...]) -> list[PassStep]:
    r = _Reader(spec)
    steps = _parse_list(r, (), "")
    out: list[PassStep] = []
    for step, pos in steps:
        if step.name not in named:
            out.append(step)
            continue
        if step.options:
            raise PipelineError(f"named pipeline '{step.name}' takes no options", spec, pos)
        if step.name in active:
            chain = " -> ".join(active + (step.name,))
            raise _CycleError(f"named pipeline '{step.name}' includes itself ({chain})")
        try:
            inner = _expand(named[step.name], named, active + (step.name,))
        except _CycleError:
            raise
        except PipelineError as e:
            raise PipelineError(f"in named pipeline '{step.name}': {e}") from None
        out += [dataclasses.replace(s, anchor=step.anchor + s.anchor) for s in inner]
    return out


# --- building passes --------------------------------------------------------------


def build_pass(
    step: PassStep,
    available: Mapping[str, Callable[[], type[ModulePass]]],
    named: Mapping[str, str] | None = None,
) -> ModulePass:
    """The pass object `step` names, its options checked; PipelineError if not
    (an unknown name gets a suggestion from the passes and the named pipelines)."""
    if step.name not in available:
        raise PipelineError(_unknown_pass_message(step.name, available, named or {}))
    try:
        pass_type = available[step.name]()
    except Exception as e:
        raise PipelineError(
            f"pass '{step.name}' could not be loaded: {type(e).__name__}: {e}"
        ) from None
    try:
        arg = parse_spec(str(step))
    except ArgSpecParseError as e:
        raise PipelineError(f"bad options for pass '{step.name}' in '{step}': {e}") from None
    arg = _check_options(pass_type, step.name, arg)
    try:
        return pass_type.from_pass_spec(arg)
    except (ValueError, TypeError) as e:
        raise PipelineError(
            f"bad options for pass '{step.name}': {e}\n{describe_options(pass_type, step.name)}"
        ) from None


def build_pipeline(
    spec: str,
    available: Mapping[str, Callable[[], type[ModulePass]]],
    named: Mapping[str, str] | None = None,
) -> list[tuple[PassStep, ModulePass]]:
    return [(step, build_pass(step, available, named)) for step in parse_pipeline(spec, named)]


def _unknown_pass_message(name: str, available: Mapping[str, Any], named: Mapping[str, str]) -> str:
    message = f"unknown pass '{name}'"
    close = difflib.get_close_matches(name, [*available, *named], n=1)
    if close:
        message += f" (did you mean '{close[0]}'?)"
    message += f"\navailable passes: {', '.join(sorted(available))}"
    return message + f"\nnamed pipelines: {', '.join(sorted(named)) or '(none)'}"


def _fields(pass_type: type[ModulePass]) -> dict[str, dataclasses.Field[Any]]:
    if not dataclasses.is_dataclass(pass_type):
        return {}
    return {f.name: f for f in dataclasses.fields(pass_type) if f.init and f.name != "name"}


def _hints(pass_type: type[ModulePass]) -> dict[str, Any]:
    try:
        return get_type_hints(pass_type)
    except Exception:  # annotations that do not resolve: skip our checks, xDSL decides
        return {}


def describe_options(pass_type: type[ModulePass], name: str) -> str:
    fields = _fields(pass_type)
    if not fields:
        return f"pass '{name}' takes no options"
    hints = _hints(pass_type)
    lines = [f"options of pass '{name}':"]
    for field in fields.values():
        line = f"  {field.name.replace('_', '-')}: {_type_name(hints.get(field.name))}"
        if field.default is not dataclasses.MISSING and field.default != ():
            line += f" = {_value_text(field.default)}"
        lines.append(line)
    return "\n".join(lines)


def _check_options(pass_type: type[ModulePass], name: str, arg: ArgSpec) -> ArgSpec:
    """`arg` with names normalized and integers given for floats made floats;
    PipelineError for an unknown option or a value of the wrong type."""
    fields = _fields(pass_type)
    hints = _hints(pass_type) if fields else {}
    checked: dict[str, tuple[Any, ...]] = {}
    for key, value in arg.normalize_parameter_names().parameters.items():
        shown = key.replace("_", "-")
        if key not in fields:
            raise PipelineError(
                f"pass '{name}' has no option '{shown}'\n{describe_options(pass_type, name)}"
            )
        hint = hints.get(key)
        if not value and bool in (hint, *get_args(hint)) and not _fits(value, hint):
            value = (True,)  # a bare flag, as mlir-opt: `{verbose}` is `{verbose=true}`
        as_floats = tuple(float(v) if type(v) is int else v for v in value)
        if hint is not None and not _fits(value, hint) and _fits(as_floats, hint):
            value = as_floats
        checked[key] = value
        if hint is not None and not _fits(value, hint):
            given = ",".join(_value_text(v) for v in value) or "nothing"
            raise PipelineError(
                f"option '{shown}' of pass '{name}' expects {_type_name(hint)}, got {given}\n"
                + describe_options(pass_type, name)
            )
    return ArgSpec(arg.name, checked)


def _fits(value: tuple[Any, ...], hint: Any) -> bool:
    """Whether xDSL will accept `value` (the tuple an option parses to) for `hint`."""
    if not value:
        return get_origin(hint) in (Union, UnionType) and NoneType in get_args(hint)
    try:
        return (len(value) == 1 and isa(value[0], hint)) or isa(value, hint)
    except Exception:  # a hint isa() cannot check: let xDSL decide
        return True


def _type_name(hint: Any) -> str:
    if hint is None:
        return "?"
    args = get_args(hint)
    if get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return f"a list of {_type_name(args[0])}"
    if isinstance(hint, type):
        return hint.__name__
    return str(hint).replace("typing.", "").replace("NoneType", "None")


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return value if value and set(value) <= _NAME_CHARS else f'"{value}"'
    if isinstance(value, tuple):
        return ",".join(_value_text(v) for v in value)
    return str(value)
