"""Dense resources: the bytes of big constants, kept out of the IR's text.

A constant's value may be `dense_resource<NAME> : tensor<...>` (MLIR's builtin
attribute) instead of `dense<...>`: the attribute holds only a name and a type, and the
bytes live in one store, `BLOBS`, keyed by name, for the whole process (MLIR keeps them
in its context). Printed IR carries them once, at the end of the text, in MLIR's form:

    {-#
      dialect_resources: {
        builtin: {
          NAME: "0x04000000<hex of the bytes>"
        }
      }
    #-}

A blob is a hex string whose first 4 bytes are its alignment (little-endian), then the
elements in the element type's storage, little-endian: `f16`/`bf16` their 16 bits, `i1`
one byte 0 or 1. `to_text` (printer.py) writes the section, `parse_module` (parse.py)
reads it; a malformed blob is a located parse error, a missing one or one of the wrong
size a located verifier error of the op that uses it (`check`).

Names are unique in the store: `add` keeps the name it is given unless the store holds
other bytes under it, and then appends `_1`, `_2`, ... So a file whose blob `w` differs
from a `w` loaded before gets its own name (and the module's uses are renamed), while
printing a module and parsing it back in one process gives the same names: the same
bytes under the same name are one blob.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xdsl.dialects.builtin import DenseResourceAttr, ShapedType, StringAttr
from xdsl.ir import Attribute, Operation

ALIGNMENT_BYTES = 4
"""How many bytes of a blob's hex string hold its alignment (little-endian)."""

FORM = '"0x" then hex digits: 4 bytes of alignment (little-endian), then the data'


@dataclass(frozen=True)
class Blob:
    data: bytes
    alignment: int


BLOBS: dict[str, Blob] = {}
"""Every blob of the process, by name."""


class BlobError(ValueError):
    """A blob's text is malformed; `offset` is where in the string (after its quote)."""

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.offset = offset


def add(name: str, blob: Blob) -> str:
    """Put `blob` in the store under `name`, or `name_N` when `name` holds other bytes;
    returns the name it is under."""
    candidate, n = name, 0
    while (held := BLOBS.get(candidate)) is not None and held != blob:
        n += 1
        candidate = f"{name}_{n}"
    BLOBS[candidate] = blob
    return candidate


def lookup(attr: DenseResourceAttr) -> Blob | None:
    return BLOBS.get(attr.resource_handle.data)


def resource(name: str, data: bytes, alignment: int, type_: ShapedType) -> DenseResourceAttr:
    """A `dense_resource` attribute of `type_` for `data`, stored under `name` (or a
    fresh name, see `add`)."""
    return DenseResourceAttr(StringAttr(add(name, Blob(data, alignment))), type_)


def encode(blob: Blob) -> str:
    """The blob as MLIR writes it (without the quotes)."""
    return "0x" + (blob.alignment.to_bytes(ALIGNMENT_BYTES, "little") + blob.data).hex().upper()


_NOT_HEX = re.compile(r"[^0-9A-Fa-f]")


def decode(text: str) -> Blob:
    """A blob from its string; BlobError says what is wrong and where."""
    if not text.startswith("0x"):
        raise BlobError(f"a blob is {FORM}")
    digits = text[2:]
    bad = _NOT_HEX.search(digits)
    if bad:
        raise BlobError(f"'{bad.group()}' is not a hex digit: a blob is {FORM}", bad.start() + 2)
    if len(digits) < 2 * ALIGNMENT_BYTES:
        raise BlobError(f"a blob starts with {ALIGNMENT_BYTES} bytes ({2 * ALIGNMENT_BYTES} hex digits) of alignment, this one has {len(digits)} hex digits")
    if len(digits) % 2:
        raise BlobError("a blob has an even number of hex digits (two per byte), this one has an odd number")
    raw = bytes.fromhex(digits)
    alignment = int.from_bytes(raw[:ALIGNMENT_BYTES], "little")
    if alignment < 1 or alignment & (alignment - 1):
        raise BlobError(f"the alignment (the first {ALIGNMENT_BYTES} bytes, little-endian) is {alignment}, not a power of two", 2)
    return Blob(raw[ALIGNMENT_BYTES:], alignment)


def check(attr: DenseResourceAttr, element_bytes: int, count: int) -> str | None:
    """What is wrong with `attr` as the value of `count` elements of `element_bytes`
    each, or None."""
    name = attr.resource_handle.data
    blob = lookup(attr)
    if blob is None:
        return (f"dense_resource<{name}> has no blob: the file's "
                f'{{-# dialect_resources: {{ builtin: {{ {name}: "0x..." }} }} #-}} section must define it')  # fmt: skip
    if len(blob.data) != element_bytes * count:
        return (f"dense_resource<{name}> holds {len(blob.data)} bytes, {attr.type} needs "
                f"{element_bytes * count} ({count} elements of {element_bytes} bytes)")  # fmt: skip
    return None


def rename(module: Operation, renames: dict[str, str]) -> None:
    """Point the `dense_resource` attributes of `module`'s ops at their new names."""
    if not renames:
        return
    for op in module.walk():
        for table in (op.properties, op.attributes):
            for key, value in table.items():
                new = _renamed(value, renames)
                if new is not None:
                    table[key] = new


def _renamed(value: Attribute, renames: dict[str, str]) -> DenseResourceAttr | None:
    if isinstance(value, DenseResourceAttr) and value.resource_handle.data in renames:
        return DenseResourceAttr(StringAttr(renames[value.resource_handle.data]), value.type)
    return None
