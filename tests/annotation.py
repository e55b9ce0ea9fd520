"""Reads the hand-written seed annotations in tests/annotations/ and compares them with a Document."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from citeaudit.model import Document

HERE = Path(__file__).parent
ANNOTATIONS = HERE / "annotations"


@dataclass
class Annotation:
    citations: Counter = field(default_factory=Counter)
    notes: set = field(default_factory=set)
    blocks: set = field(default_factory=set)
    quotes: Counter = field(default_factory=Counter)


def _none(value: str) -> str | None:
    return None if value == "-" else value


def load(name: str) -> Annotation:
    ann = Annotation()
    for raw in (ANNOTATIONS / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tag, _, rest = line.partition(" ")
        fields = [f.strip() for f in rest.split("|")]
        if tag == "cite":
            fields += ["parenthetical", "-"][len(fields) - 4 :] if len(fields) < 6 else []
            lineno, authors, year, locator, kind, note = fields[:6]
            ann.citations[(
                int(lineno),
                tuple(a.strip() for a in authors.split(";")) if authors != "-" else (),
                _none(year),
                _none(locator),
                kind,
                int(note) if note != "-" else None,
            )] += 1
        elif tag == "note":
            number, marker, text = fields
            ann.notes.add((int(number), int(marker) if marker != "-" else None, int(text) if text != "-" else None))
        elif tag == "block":
            ann.blocks.add((int(fields[0]), int(fields[1])))
        elif tag == "quote":
            ann.quotes[(int(fields[0]), int(fields[1]) if fields[1] != "-" else None)] += 1
        else:
            raise ValueError(f"{name}: unknown annotation {tag!r}")
    return ann


def observed(doc: Document) -> Annotation:
    lines = doc.lines
    out = Annotation()
    for c in doc.citations:
        for it in c.items:
            year = (it.year + it.suffix) if it.year else None
            out.citations[(lines.line(c.span.start), it.authors, year, it.locator, c.kind, c.note)] += 1
    for n in doc.notes:
        out.notes.add((n.number, lines.line(n.marker.start) if n.marker else None, lines.line(n.body.start) if n.body else None))
    for q in doc.quotations:
        cited = lines.line(doc.citations[q.citation].span.start) if q.citation is not None else None
        if q.kind == "block":
            out.blocks.add((lines.line(q.span.start), cited))
        else:
            out.quotes[(lines.line(q.span.start), cited)] += 1
    return out


def scores(expected: Counter, found: Counter) -> tuple[float, float, list, list]:
    """Recall, precision, what was missed and what was found in excess."""
    expected, found = Counter(expected), Counter(found)
    hit = sum((expected & found).values())
    missed = sorted((expected - found).elements(), key=str)
    extra = sorted((found - expected).elements(), key=str)
    recall = hit / sum(expected.values()) if expected else 1.0
    precision = hit / sum(found.values()) if found else 1.0
    return recall, precision, missed, extra
