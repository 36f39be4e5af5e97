"""`--mlir-timing`: wall time per phase and per pass, reported like mlir-opt's
"Execution time report"."""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager


class Timing:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.entries: dict[Hashable, tuple[str, float]] = {}

    @contextmanager
    def measure(self, label: str, key: Hashable | None = None) -> Iterator[None]:
        """Add the time spent in the block to the line `label` (one line per `key`)."""
        begin = time.perf_counter()
        try:
            yield
        finally:
            key = label if key is None else key
            _, spent = self.entries.get(key, (label, 0.0))
            self.entries[key] = (label, spent + time.perf_counter() - begin)

    def report(self) -> str:
        total = max(time.perf_counter() - self.start, 1e-9)
        rows = list(self.entries.values())
        rows.append(("Rest", max(total - sum(t for _, t in rows), 0.0)))
        rows.append(("Total", total))
        rule = "===" + "-" * 73 + "==="
        lines = [
            rule,
            " " * 25 + "... Execution time report ...",
            rule,
            f"  Total Execution Time: {total:.4f} seconds",
            "",
            "  ----Wall Time----  ----Name----",
        ]
        lines += [f"  {t:8.4f} ({100 * t / total:5.1f}%)  {label}" for label, t in rows]
        return "\n".join(lines) + "\n"
