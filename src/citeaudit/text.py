"""The original text of a manuscript, spans into it, and normalised views that map back to it."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass


_NEWLINE = re.compile("\n")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """Half-open character range [start, end) in the ORIGINAL text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span {self.start}..{self.end}")


class LineIndex:
    """Turns offsets of the original text into 1-based line and column numbers."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self._len = len(text)

    def line_col(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, self._len))
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def line(self, offset: int) -> int:
        return self.line_col(offset)[0]

    @property
    def count(self) -> int:
        return len(self._starts)

    def line_start(self, line: int) -> int:
        """Offset of the first character of a 1-based line."""
        return self._starts[line - 1]


class Mapped:
    """A normalised string whose every character remembers its offset in the original.

    ``omap[i]`` is the original offset of ``text[i]``; ``omap[len(text)]`` is the
    original offset just past the last character, so a normalised half-open range
    [a, b) maps back to [omap[a], omap[b - 1] + 1).
    """

    __slots__ = ("text", "omap")

    def __init__(self, text: str, omap: list[int]) -> None:
        if len(omap) != len(text) + 1:
            raise ValueError("offset map must have one entry per character plus one")
        self.text = text
        self.omap = omap

    def span(self, start: int, end: int) -> Span:
        """Original span of the normalised range [start, end)."""
        if end <= start:
            pos = self.omap[start]
            return Span(pos, pos)
        return Span(self.omap[start], self.omap[end - 1] + 1)

    def __len__(self) -> int:
        return len(self.text)


class Builder:
    """Accumulates normalised text together with the original offset of every character."""

    __slots__ = ("pieces", "offsets", "_last")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.offsets: list[int] = []
        self._last = ""

    def add(self, ch: str, offset: int) -> None:
        self.pieces.append(ch)
        self.offsets.append(offset)
        self._last = ch

    def add_run(self, text: str, start: int) -> None:
        """Characters copied unchanged from the original, starting at offset ``start``."""
        if text:
            self.pieces.append(text)
            self.offsets.extend(range(start, start + len(text)))
            self._last = text[-1]

    def last(self) -> str:
        return self._last

    def tail(self, n: int) -> str:
        """The last n characters added."""
        out = ""
        for piece in reversed(self.pieces):
            out = piece + out
            if len(out) >= n:
                break
        return out[-n:]

    def pop(self) -> None:
        piece = self.pieces.pop()
        if len(piece) > 1:
            self.pieces.append(piece[:-1])
        self.offsets.pop()
        self._last = self.pieces[-1][-1] if self.pieces else ""

    def __bool__(self) -> bool:
        return bool(self.offsets)

    def build(self, end_offset: int) -> Mapped:
        return Mapped("".join(self.pieces), self.offsets + [end_offset])


class Cover:
    """Which offsets of a text are inside spans marked so far. Marking costs the length of the
    span, a lookup costs nothing, so checking every candidate against every citation found
    stays linear in the text."""

    __slots__ = ("_any", "_inner")

    def __init__(self, length: int) -> None:
        self._any = bytearray(length + 1)  # start <= pos < end
        self._inner = bytearray(length + 1)  # start < pos < end

    def add(self, start: int, end: int) -> None:
        if end > start:
            self._any[start:end] = b"\x01" * (end - start)
        if end > start + 1:
            self._inner[start + 1 : end] = b"\x01" * (end - start - 1)

    def covers(self, pos: int) -> bool:
        return 0 <= pos < len(self._any) and self._any[pos] == 1

    def inside(self, pos: int) -> bool:
        """Strictly inside a marked span, not at its first offset."""
        return 0 <= pos < len(self._inner) and self._inner[pos] == 1

    def overlaps(self, start: int, end: int) -> bool:
        return self._any.find(1, max(0, start), max(0, end)) != -1


def merge_spans(spans) -> list[tuple[int, int]]:
    """[start, end) stretches sorted, the empty ones dropped, overlapping and touching ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def subtract_spans(spans, holes) -> list[tuple[int, int]]:
    """What of `spans` (sorted, not overlapping) `holes` do not cover, in one pass over both."""
    holes = merge_spans(holes)
    if not holes:
        return list(spans)
    out: list[tuple[int, int]] = []
    k = 0
    for a, b in spans:
        while k < len(holes) and holes[k][1] <= a:
            k += 1
        cur, j = a, k
        while j < len(holes) and holes[j][0] < b:
            ha, hb = holes[j]
            if ha > cur:
                out.append((cur, ha))
            cur = max(cur, hb)
            j += 1
        if cur < b:
            out.append((cur, b))
    return out


from .frozen import quick_pickling  # noqa: E402 - applied to the classes above

quick_pickling(__name__)
