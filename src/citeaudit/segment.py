"""Paragraphs, headings, page-bottom footnote zones and endnote sections of a plain-text manuscript.

Segmentation works on the ORIGINAL lines: it decides which physical lines belong
together, and each segment is then normalised into one string that maps back.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from .reflist import find as reflist
from .normalize import Vocabulary, join_lines, looks_ocr_damaged, lost_capitals, repair_ocr, restore_capitals
from .suppress import is_directive
from .text import Mapped, merge_spans, subtract_spans

# A note's first line: "1 text", "[1] text", "  • 1. text", "1. text", "¹ text".
_NOTE_START = re.compile(
    r"^[ \t]*(?:[•·▪\-*][ \t]*)?(?:\[(?P<b>\d{1,3})\]|(?P<n>\d{1,3})(?P<dot>[.)])?|(?P<sup>[¹²³⁰⁴⁵⁶⁷⁸⁹]+))[ \t]+(?=\S)"
)
_NOTES_HEADING = re.compile(r"^\s*(?:end\s*)?(?:notes|footnotes|endnotes)\s*:?\s*$", re.IGNORECASE)
_STOP_HEADING = re.compile(r"^\s*(?:references|bibliography|works cited|literature)\s*:?\s*$", re.IGNORECASE)
_RULE_LINE = re.compile(r"^\s*(?:_{8,}|-{8,}|—{4,})\s*$")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")

#: A white-space-only line at least this long opens a page-bottom footnote zone (PDF text).
ZONE_WIDTH = 20


@dataclass(frozen=True, slots=True)
class Line:
    start: int
    end: int  # exclusive, newline not included
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(slots=True)
class Segment:
    """A run of original lines read as one unit of text."""

    kind: str  # "paragraph" | "heading" | "note" | "reference" (an entry of the reference list)
    ranges: list[tuple[int, int]]
    mapped: Mapped = field(repr=False, default=None)  # type: ignore[assignment]
    note_number: int | None = None
    note_style: str | None = None  # "zone" | "bracket" | "bullet" | "numbered" for notes

    @property
    def text(self) -> str:
        return self.mapped.text


@dataclass(slots=True)
class Layout:
    body: list[Segment]
    notes: list[Segment]
    quote_style: str
    references: list[Segment] = field(default_factory=list)  # the entries of the reference list, one each
    #: Note marks the format itself pairs with their notes (DOCX, ODT, Markdown, LaTeX), by
    #: number; None where the marks are to be found in the text.
    markers: dict[tuple[str, int], tuple[int, int]] | None = None  # (footnote|endnote, number) -> mark
    quotes: set[int] = field(default_factory=set)  # indices of body segments set off as block quotations


def split_lines(text: str) -> list[Line]:
    """The file's lines; suppression comments ("% citeaudit: ignore ...") read as empty."""
    lines = []
    pos = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        content = raw[:-1] if raw.endswith("\r") else raw
        if "citeaudit:" in content and is_directive(content):
            content = ""
        lines.append(Line(pos, pos + len(content), content))
        pos = end + 1
    return lines


def _is_double_spaced(lines: list[Line]) -> bool:
    """PDF text with an empty line after every line of text (seed 000)."""
    content = [i for i, ln in enumerate(lines) if not ln.blank]
    if len(content) < 6:
        return False
    one_gap = sum(
        1 for a, b in zip(content, content[1:]) if b - a == 2 and lines[a + 1].text == ""
    )
    median_len = statistics.median(len(lines[i].text) for i in content)
    return one_gap / (len(content) - 1) >= 0.6 and median_len < 120


def _quote_style(text: str) -> str:
    counts = {"‘": text.count("‘"), "“": text.count("“"), '"': text.count('"') // 2, "«": text.count("«")}
    return max(counts, key=lambda k: (counts[k], k == "“"))


def segment(text: str) -> Layout:
    lines = split_lines(text)
    double = _is_double_spaced(lines)
    ocr = looks_ocr_damaged(text)
    caseless = lost_capitals(text)
    vocabulary = Vocabulary(text)

    units = _units(lines, double)
    ref_units, ref_entries = [], []
    for first, stop in reflist.sections([lines[li].text for _b, li in units], [b for b, _li in units]):
        texts = [lines[li].text for _b, li in units[first + 1 : stop]]
        paragraphs = [k for k, (brk, _li) in enumerate(units[first + 1 : stop]) if brk in ("para", "zone")]
        entries = reflist.split_entries(texts, paragraphs)
        if reflist.looks_like_references([" ".join(texts[k].strip() for k in e) for e in entries]):
            # the reference list is not prose: its entries are read apart
            ref_units, ref_entries = units[first + 1 : stop], entries
            units = units[: first + 1] + units[stop:]
            break
    body_units, note_units = _take_notes(lines, units, double)

    body: list[Segment] = []
    for kind, idxs in body_units:
        seg = Segment(kind, [(lines[i].start, lines[i].end) for i in idxs])
        body.append(seg)
    notes: list[Segment] = []
    for number, style, idxs, prefix_len in note_units:
        ranges = [(lines[i].start, lines[i].end) for i in idxs]
        ranges[0] = (ranges[0][0] + prefix_len, ranges[0][1])
        notes.append(Segment("note", ranges, note_number=number, note_style=style))
    references = [Segment("reference", [(lines[ref_units[k][1]].start, lines[ref_units[k][1]].end) for k in entry])
                  for entry in ref_entries]
    for seg in body + notes + references:
        seg.mapped = join_lines(text, seg.ranges, vocabulary)
        if ocr:
            seg.mapped = repair_ocr(seg.mapped)
        if caseless:
            seg.mapped = restore_capitals(seg.mapped)
    for seg in body:
        if seg.kind == "paragraph" and _looks_like_heading(seg.text, len(seg.ranges)):
            seg.kind = "heading"
    return Layout(body, notes, _quote_style(text), references)


def layout_of(source) -> Layout:
    """The layout of a manuscript: found from its text (plain text, PDF text laid out as
    plain text), or given by its format's structure (DOCX, ODT, Markdown, LaTeX): each
    block a paragraph, heading or note, what is not prose (code, math, markup) left out of
    it, a format's own citation marks kept in place for the extractor."""
    if source.format in ("text", "pdf"):
        return segment(source.text)
    text = source.text
    vocabulary = Vocabulary(text)
    keep = [(m.start, m.end) for m in source.marked]
    cut = subtract_spans(merge_spans(source.skip), keep)
    body: list[Segment] = []
    notes: dict[tuple[str, int], Segment] = {}
    quotes: set[int] = set()
    for b in source.blocks:
        ranges = _block_ranges(text, b, cut)
        if not ranges:
            continue
        if b.part in ("footnote", "endnote") and b.note is not None:
            seg = notes.get((b.part, b.note))
            if seg is None:  # note_style: the series it belongs to
                notes[b.part, b.note] = Segment("note", ranges, note_number=b.note, note_style=b.part)
            else:
                seg.ranges.extend(ranges)
            continue
        if b.quote:
            quotes.add(len(body))
        body.append(Segment("heading" if b.heading else "paragraph", ranges))
    note_segs = [notes[k] for k in sorted(notes, key=lambda k: (k[0] != "footnote", k[1]))]
    for seg in body + note_segs:
        seg.mapped = join_lines(text, seg.ranges, vocabulary)
    body, references = _block_references(body, text)
    quotes = {i for i in quotes if i < len(body)}
    markers: dict[tuple[str, int], tuple[int, int]] = {}
    for ref in source.notes:
        markers.setdefault((ref.part, ref.number), (ref.start, ref.end))
    return Layout(body, note_segs, _quote_style(text), references, markers, quotes)


def _block_references(body: list[Segment], text: str) -> tuple[list[Segment], list[Segment]]:
    """A reference list among a structured document's blocks: after a heading (or a
    paragraph that is only a heading's words), one entry a block (a block of several
    lines split as the plain-text lists are), up to the next heading."""
    for k in range(len(body) - 1, -1, -1):
        if not reflist.HEADING.match(body[k].text):
            continue
        stop = next((j for j in range(k + 1, len(body)) if body[j].kind == "heading" or reflist.END.match(body[j].text)),
                    len(body))
        entries: list[Segment] = []
        for seg in body[k + 1 : stop]:
            lines = [text[a:b] for a, b in seg.ranges]
            for group in reflist.split_entries(lines, list(range(len(lines)))) if len(lines) > 1 else [[0]]:
                entry = Segment("reference", [seg.ranges[i] for i in group])
                entry.mapped = join_lines(text, entry.ranges)
                entries.append(entry)
        if reflist.looks_like_references([e.text for e in entries]):
            body[k].kind = "heading"
            return body[: k + 1] + body[stop:], entries
    return body, []


def _block_ranges(text: str, b, cut: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A block's stretch of the text as line ranges, without its excluded stretches and the
    parts of it that are not prose."""
    holes = sorted([*b.exclude, *((x, y) for x, y in _overlapping(cut, b.start, b.end))])
    pieces = []
    pos = b.start
    for x, y in holes:
        x, y = max(x, b.start), min(y, b.end)
        if x > pos:
            pieces.append((pos, x))
        pos = max(pos, y)
    if pos < b.end:
        pieces.append((pos, b.end))
    ranges = []
    for x, y in pieces:
        start = x
        while True:
            nl = text.find("\n", start, y)
            if nl < 0:
                if start < y:
                    ranges.append((start, y))
                break
            if nl > start:
                ranges.append((start, nl))
            start = nl + 1
    return ranges


def _overlapping(spans: list[tuple[int, int]], start: int, end: int):
    import bisect

    k = bisect.bisect_left(spans, (start, start))
    if k:
        k -= 1
    while k < len(spans) and spans[k][0] < end:
        if spans[k][1] > start:
            yield spans[k]
        k += 1


def _looks_like_heading(text: str, nlines: int) -> bool:
    if nlines != 1 or len(text) > 80 or not text:
        return False
    if text[-1] in ".,;:!?’”\"'" and not text.endswith("..."):
        return False
    return text[0].isupper() or text[0].isdigit() or text[0] == "["


# A unit is a list of line indices with the kind of break that precedes it.
# Breaks: "para" (new paragraph), "cont" (same paragraph), "page" (page break,
# same paragraph unless marked), "zone" (a footnote zone begins).


def _units(lines: list[Line], double: bool) -> list[tuple[str, int]]:
    """Each content line with the kind of break that precedes it."""
    out: list[tuple[str, int]] = []
    between: list[Line] = []
    for i, ln in enumerate(lines):
        if ln.blank:
            between.append(ln)
            continue
        brk = _break_kind(between, double) if out else "para"
        if "\f" in ln.text[: len(ln.text) - len(ln.text.lstrip())]:
            brk = "page" if brk == "cont" else brk
        out.append((brk, i))
        between = []
    return out


def _break_kind(between: list[Line], double: bool) -> str:
    if any(len(b.text.replace("\t", "    ")) >= ZONE_WIDTH and "\f" not in b.text for b in between) and double:
        return "zone"
    if any(_RULE_LINE.match(b.text) for b in between):
        return "zone"
    if double:
        if any(b.text != "" and "\f" not in b.text for b in between):
            return "para"
        if any("\f" in b.text for b in between) or len(between) >= 2:
            return "page"
        return "cont"
    if not between:
        return "cont"
    if all("\f" in b.text for b in between):
        return "page"
    return "para"


def _note_start(text: str) -> tuple[int, str, int] | None:
    m = _NOTE_START.match(text)
    if not m:
        return None
    if m.group("b"):
        return int(m.group("b")), "bracket", m.end()
    if m.group("sup"):
        return int(m.group("sup").translate(_SUPERSCRIPTS)), "zone", m.end()
    bullet = text.lstrip()[:1] in "•·▪-*"
    style = "bullet" if bullet else ("numbered" if m.group("dot") else "plain")
    return int(m.group("n")), style, m.end()


def _take_notes(lines, units, double):
    """Split units into body paragraphs and notes (footnote zones, endnote sections)."""
    body: list[tuple[str, list[int]]] = []
    notes: list[tuple[int, str, list[int], int]] = []
    in_zone = False
    last_note = 0
    i = 0
    n = len(units)
    # Endnote sections are found first, so that zone logic never sees them.
    section_start = _endnote_section(lines, units)
    while i < n:
        brk, li = units[i]
        if section_start is not None and i >= section_start:
            break
        if brk == "zone":
            in_zone = True
        elif in_zone and brk in ("page", "para") and _zone_ends(brk, lines, units, i):
            in_zone = False
            brk = "page" if brk == "page" else "para"
        if in_zone:
            start = _note_start(lines[li].text)
            opens = start is not None and (
                brk == "zone" or start[0] == last_note + 1
            ) and start[1] in ("plain", "numbered", "zone")
            if opens:
                number, _style, plen = start
                notes.append((number, "zone", [li], plen))
                last_note = number
            elif notes:
                notes[-1][2].append(li)
            else:
                notes.append((0, "zone", [li], 0))
            i += 1
            continue
        if brk in ("cont", "page") and body:
            body[-1][1].append(li)
        else:
            body.append(("paragraph", [li]))
        i += 1
    if section_start is not None:
        current = None
        for brk, li in units[section_start:]:
            start = _note_start(lines[li].text)
            if start is not None and (current is None or brk == "para" or start[1] != "plain"):
                current = (start[0], start[1], [li], start[2])
                notes.append(current)
            elif current is not None:
                current[2].append(li)
            elif _NOTES_HEADING.match(lines[li].text):
                continue
            else:
                body.append(("paragraph", [li]))
    return body, notes


def _zone_ends(brk, lines, units, i) -> bool:
    """A footnote zone runs to the end of its page."""
    return brk == "page" or (brk == "para" and not _note_start(lines[units[i][1]].text))


def _endnote_section(lines, units) -> int | None:
    """Index of the first unit of the endnote section, if the manuscript has one."""
    for idx, (_brk, li) in enumerate(units):
        if _NOTES_HEADING.match(lines[li].text):
            end = len(units)
            for j in range(idx + 1, len(units)):
                if _STOP_HEADING.match(lines[units[j][1]].text):
                    end = j
                    break
            if end == len(units):
                return idx
    # Otherwise a trailing run of notes, each opening with its number: "[1] ...", "• 1. ...".
    run: list[tuple[int, int, str]] = []
    for idx in range(len(units) - 1, -1, -1):
        brk, li = units[idx]
        start = _note_start(lines[li].text)
        if start is not None and start[1] in ("bracket", "bullet", "numbered"):
            run.append((idx, start[0], start[1]))
        elif brk != "cont":
            break
    run.reverse()
    if not run:
        return None
    numbers = [num for _i, num, _s in run]
    styles = {s for _i, _n, s in run}
    if len(styles) != 1 or numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        return None
    if styles == {"numbered"} and len(run) < 2:
        return None
    return run[0][0]
