"""The editor's own .docx back, with a Word comment on each finding (`--format docx`).

`render(original, source, comments)` reads the original file (never opened for writing),
renders it again exactly as `readers.docx.read_docx` did and checks the rendering is
`source.text`, so the offsets given are offsets into that file's text. Each comment is
anchored on the runs that hold [start, end) of the rendering: runs are split where a
boundary falls inside one, so a comment covers exactly the cited text. Comments are
written by python-docx's comments API (author "citeaudit", initials "CA"); comments the
document already has are kept.

Where the anchor falls:
- body and table text: on that text;
- text inside a footnote or endnote: on the note's reference mark in the body, the comment
  starting "(in footnote N: “…”)" with the text it is about. (A comment anchored inside
  word/footnotes.xml is valid OOXML, but LibreOffice 7.4 refuses to load such a file:
  measured with the files this module wrote, so it does not write them.)
- stretches that are only citeaudit's layout (the "Notes" line, a note's "N. ", a list
  label, the blank lines between paragraphs): on the nearest real text after them.
"""

from __future__ import annotations

import bisect
import copy
import io
from dataclasses import dataclass
from typing import Any

from ..errors import CiteauditError, display
from ..readers import Source, read_bytes
from ..readers.docx import Package, Piece, WordDocument, run_unit_size, sniff_package

AUTHOR = "citeaudit"
INITIALS = "CA"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass(slots=True)
class _Anchor:
    tree: str
    first: tuple[Any, int]  # (run, unit offset where the comment starts)
    last: tuple[Any, int]  # (run, unit offset just past where it ends)
    message: str


def render(original_docx_path: str, source: Source, comments: list[tuple[int, int, str]]) -> bytes:
    """A copy of the .docx at `original_docx_path` with one Word comment per (start, end,
    message), start and end being offsets in `source.text`, the rendering `read_docx`
    made of that file."""
    try:
        import docx  # python-docx
        from docx.text.run import Run
    except ImportError:  # pragma: no cover - the dependency is declared
        raise CiteauditError("the annotated .docx output needs python-docx (pip install python-docx)") from None
    shown = display(original_docx_path)
    data = read_bytes(original_docx_path)
    sniff_package(data, shown)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds for packages it cannot take
        raise CiteauditError(f"cannot be annotated: python-docx cannot open it ({exc})", shown) from None
    word = WordDocument(Package(data, shown), shown, {"document": document.element})
    rendering = word.render()
    if rendering.text() != source.text:
        raise CiteauditError("has changed since it was checked: its text is not the text the findings refer to", shown)

    body = [p for p in rendering.pieces if p.tree == "document"]
    anchors = [_anchor(body, source, start, end, message) for start, end, message in comments]
    cuts = _split_runs(anchors, word)
    for a in anchors:
        if a is None:
            continue
        first = cuts[id(a.first[0])].run_at(a.first[1])
        last = cuts[id(a.last[0])].run_at(a.last[1] - 1)
        lines = a.message.splitlines() or [""]
        comment = document.add_comment([Run(first, None), Run(last, None)], text=lines[0], author=AUTHOR,
                                       initials=INITIALS)
        for line in lines[1:]:
            comment.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- anchoring


def _anchor(pieces: list[Piece], source: Source, start: int, end: int, message: str) -> _Anchor | None:
    """Which body runs, from which unit to which, carry the comment on [start, end)."""
    if not pieces:
        return None
    start = max(0, min(start, len(source.text)))
    end = max(start, min(end, len(source.text)))
    note = _note_at(source, start)
    if note is not None:
        ref = next((n for n in source.notes if (n.part, n.number) == note), None)
        if ref is None:
            return None
        excerpt = " ".join(source.text[start:end].split())
        if len(excerpt) > 80:
            excerpt = excerpt[:77] + "…"
        message = f"(in {note[0]} {note[1]}: “{excerpt}”) {message}"
        start, end = ref.start, ref.end
    ends = [p.end for p in pieces]
    i = min(bisect.bisect_right(ends, start), len(pieces) - 1)  # first piece ending after start
    first = pieces[i]
    starts = [p.start for p in pieces]
    k = max(bisect.bisect_left(starts, max(end, start + 1)) - 1, i)  # last piece starting before end
    last = pieces[k]
    u0 = first.unit if first.atomic or start <= first.start else first.unit + (start - first.start)
    if last.atomic:
        u1 = last.unit + 1
    elif min(end, last.end) <= last.start:  # nothing but layout: the whole piece after it
        u1 = last.unit + (last.end - last.start)
    else:
        u1 = last.unit + (min(end, last.end) - last.start)
    if last is first and u1 <= u0:
        u1 = u0 + 1
    return _Anchor(first.tree, (first.run, u0), (last.run, u1), message)


def _note_at(source: Source, pos: int) -> tuple[str, int] | None:
    """The note whose rendering holds `pos` (its "N. " included), if any."""
    notes = [b for b in source.blocks if b.part in ("footnote", "endnote")]
    found = None
    for b in notes:
        label_start = source.text.rfind("\n", 0, b.start) + 1 if b.paragraph == 1 else b.start
        if label_start <= pos:
            found = (b.part, b.note)
        else:
            break
    return found


class _Cuts:
    """A run split at some unit offsets: which of the pieces holds a given unit."""

    def __init__(self, run: Any) -> None:
        self.bounds = [0]
        self.runs = [run]

    def run_at(self, unit: int) -> Any:
        return self.runs[max(0, bisect.bisect_right(self.bounds, unit) - 1)]


def _split_runs(anchors: list[_Anchor | None], word: WordDocument) -> dict[int, _Cuts]:
    wanted: dict[int, tuple[Any, set[int]]] = {}
    for a in anchors:
        if a is None:
            continue
        for run, unit in (a.first, a.last):
            wanted.setdefault(id(run), (run, set()))[1].add(unit)
    cuts: dict[int, _Cuts] = {}
    for key, (run, units) in wanted.items():
        size = sum(run_unit_size(c, word.w) for c in run)
        points = sorted(u for u in units if 0 < u < size)
        made = []
        for u in reversed(points):
            made.append((u, _split(run, u, word)))
        c = _Cuts(run)
        for u, new in reversed(made):
            c.bounds.append(u)
            c.runs.append(new)
        cuts[key] = c
    return cuts


def _split(run: Any, at: int, word: WordDocument) -> Any:
    """Split a w:r at a unit offset: the run keeps what is before, a new run after it (same
    properties) gets the rest. Returns the new run."""
    w = word.w
    new = run.makeelement(run.tag, dict(run.attrib))
    rpr = run.find(w("rPr"))
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    moving = False
    pos = 0
    move: list[Any] = []
    for child in list(run):
        if child.tag == w("rPr"):
            continue
        if moving:
            move.append(child)
            continue
        size = run_unit_size(child, w)
        if pos + size <= at:
            pos += size
            if pos == at:
                moving = True
            continue
        k = at - pos
        text = child.text or ""
        child.text = text[:k]
        child.set(XML_SPACE, "preserve")
        rest = run.makeelement(w("t"), {})
        rest.text = text[k:]
        rest.set(XML_SPACE, "preserve")
        move.append(rest)
        moving = True
        pos += size
    for child in move:
        new.append(child)
    run.addnext(new)
    return new
