"""A progress bar on a terminal for long runs; silent when standard error is not a terminal
(CI logs, pipes, files)."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


class TerminalProgress:
    """A `progress(done, total, label)` callable that redraws one line of `stream`.

    On by default only when the stream is a terminal and $TERM is not "dumb"; short runs
    (under `min_total` entries) draw nothing. `close()` clears the line.
    """

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, width: int = 24,
                 min_total: int = 5, interval: float = 0.1, label: str = "checking") -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
        self.enabled = enabled
        self.width = width
        self.min_total = min_total
        self.interval = interval
        self.label = label
        self._last = 0.0
        self._drawn = 0

    def __call__(self, done: int, total: int, label: str = "") -> None:
        if not self.enabled or total < self.min_total:
            return
        now = time.monotonic()
        if done < total and now - self._last < self.interval:
            return
        self._last = now
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        line = f"{self.label} [{bar}] {done}/{total} {label}"[:100]
        self.stream.write("\r" + line.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(line)

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
