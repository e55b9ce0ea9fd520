"""PDF manuscripts: the text layer read with pypdfium2 (PDFium), page by page, laid out as
citeaudit's plain-text segmentation reads PDF-extracted text (seeds/000), with the
structure found from fonts and positions as `Block`s and `NoteRef`s.

Why pypdfium2: docs/pdf-readers.md (measured against pdfplumber and pypdf: 40-80 times
faster, the best word recall, ligatures expanded, no words run together on TeX output,
columns kept apart, and it gives each character's font size and position).

The rendering (`Source.text`):

- Each text line of the page is one line, followed by an empty line (the double-spaced
  layout of seed 000, which the plain-text segmentation knows). A line holding a single
  space before a line starts a new paragraph. Pages are separated by "\\f", which stands
  at the start of each page's first line.
- The page-bottom footnotes follow the page's body text after a line of 40 spaces (the
  zone marker of seed 000); each note starts "N " and its lines follow as lines.
- A superscript number in the body that calls one of the document's notes is written in
  superscript digits ("¹²") and recorded as a `NoteRef`; other superscript digits too are
  written as superscripts.
- A word hyphenated at a line end keeps its hyphen at the end of the line ("com-" /
  "pile"), as in the PDF; the segmentation joins them.
- Running headers and footers (a line repeated at the top or bottom of most pages, digits
  aside) and lone page numbers are left out.

The line on the PDF page of a rendering line is the count of lines with text from the
page's "\\f" to it (the empty lines, the one-space paragraph lines and the zone marker are
not the page's).

Blocks: part "body" paragraphs (paragraph numbered 1.. through the document, `page` where
it starts; one that runs on past a page's footnotes lists them in `exclude`), part
"footnote" (note = its number, paragraph 1, then 2.. for its continuations on later
pages). `heading` for larger or bold short lines, `quote` for paragraphs indented on the
left beyond the column's margin.

How footnotes are found: a short horizontal rule (a path, as Word, LibreOffice and LaTeX
draw the footnote separator) low on the page with lines below it that are no larger than
the body text and start with a note number (or continue a note); without a rule, a run
of lines at the page bottom in a smaller size than the body whose first line starts with a
number. A note number is a superscript number (smaller and raised) or a number followed by
a space at the start of a zone line.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from ..errors import CiteauditError, display
from . import Block, NoteRef, Source, read_bytes

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
#: The line of spaces that opens a page's footnote zone (segment.ZONE_WIDTH is 20).
ZONE_LINE = " " * 40
#: Fewer non-space characters per page than this, on average, is a PDF without a text layer.
MIN_CHARS_PER_PAGE = 25


@dataclass(slots=True)
class _Char:
    ch: str
    size: float
    x: float  # origin
    y: float  # baseline
    left: float
    right: float
    bottom: float
    top: float
    bold: bool


@dataclass(slots=True)
class _Line:
    chars: list[_Char]
    page: int
    size: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    y: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    bold: bool = False
    zone: bool = False
    note: int | None = None  # the note this line starts
    note_chars: int = 0  # how many leading characters are the note's number (and space)
    new_para: bool = False
    mark_only: bool = False  # nothing but a small number: a note mark on a line of its own
    quote: bool = False
    heading: bool = False

    def text(self) -> str:
        return "".join(c.ch for c in self.chars)

    def finish(self) -> _Line:
        ink = [c for c in self.chars if c.ch.strip()]
        if not ink:
            ink = self.chars
        sizes = Counter(round(c.size, 1) for c in ink)
        self.size = max(sizes, key=lambda s: (sizes[s], s)) if sizes else 0.0
        main = [c for c in ink if abs(c.size - self.size) < 0.3] or ink
        self.y = statistics.median(c.y for c in main) if main else 0.0
        self.x0 = min((c.left for c in ink), default=0.0)
        self.x1 = max((c.right for c in ink), default=0.0)
        self.top = max((c.top for c in ink), default=0.0)
        self.bottom = min((c.bottom for c in ink), default=0.0)
        self.bold = bool(ink) and all(c.bold for c in ink if c.ch.isalpha()) and any(c.ch.isalpha() for c in ink)
        return self


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)


def read_pdf(path: str) -> Source:
    """Read a PDF's text layer: the rendering, paragraphs and footnotes as blocks, note marks."""
    shown = display(path)
    data = read_bytes(path)
    head = data[:1024]
    if b"%PDF" not in head:
        raise CiteauditError("is not a PDF (no %PDF header)", shown)
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a declared dependency
        raise CiteauditError("reading PDF needs pypdfium2 (pip install pypdfium2)", shown) from None
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise CiteauditError("is password-protected (encrypted): save a copy without a password", shown) from None
        raise CiteauditError(f"is damaged or not a PDF ({message})", shown) from None
    try:
        pages = [_read_page(pdf, i) for i in range(len(pdf))]
    except pdfium.PdfiumError as exc:
        raise CiteauditError(f"is damaged: {exc}", shown) from None
    finally:
        pdf.close()
    ink = sum(1 for p in pages for ln in p.lines for c in ln.chars if c.ch.strip())
    if not pages:
        raise CiteauditError("has no pages", shown)
    if ink < MIN_CHARS_PER_PAGE * len(pages):
        raise CiteauditError("has no text layer (a scan?): run OCR on it first, e.g. with ocrmypdf", shown)
    layout = _Layout(pages)
    return layout.render(shown)


# ---------------------------------------------------------------- reading a page


def _read_page(pdf, index: int) -> _Page:
    import pypdfium2.raw as c

    page = pdf[index]
    width, height = page.get_size()
    out = _Page(index + 1, width, height)
    for obj in page.get_objects(max_depth=4):
        if obj.type == c.FPDF_PAGEOBJ_PATH:
            try:
                left, bottom, right, top = obj.get_bounds()
            except Exception:  # noqa: BLE001, S112 - an object PDFium cannot measure is no rule
                continue
            if right - left >= 25 and top - bottom <= 2.5:
                out.rules.append((left, bottom, right, top))
    tp = page.get_textpage()
    raw = tp.raw
    n = tp.count_chars()
    text = tp.get_text_range(0, n) if n else ""
    if len(text) != n:  # characters beyond the BMP: read them one by one
        text = "".join(chr(c.FPDFText_GetUnicode(raw, i)) for i in range(n))
    rect = c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    font_size = c.FPDFText_GetFontSize
    loose_box = c.FPDFText_GetLooseCharBox
    fragments: list[list[_Char]] = []
    cur: list[_Char] = []
    bold = False
    last_size = -1.0
    for i, ch in enumerate(text):
        if ch in "\r\n":
            if ch == "\n" and cur:
                fragments.append(cur)
                cur = []
            continue
        size = font_size(raw, i)
        loose_box(raw, i, rect_ref)
        if size < 2:
            size = max(rect.top - rect.bottom, 1.0)
        if ch in "\x02\ufffe":  # PDFium's mark of a hyphen at a line end: the line ends here
            cur.append(_Char("-", size, rect.left, rect.bottom + 0.22 * size, rect.left, rect.right, rect.bottom,
                             rect.top, False))
            fragments.append(cur)
            cur = []
            continue
        if ch == "\x00" or ch == "\ufffd" or not ch.isprintable() and ch not in " \t\u00a0":
            continue
        if ch.isalpha() and (not cur or size != last_size):
            bold = c.FPDFText_GetFontWeight(raw, i) >= 600
        last_size = size
        # the baseline, from the loose box (font ascent and descent): a little above its bottom
        cur.append(_Char(ch, size, rect.left, rect.bottom + 0.22 * size, rect.left, rect.right, rect.bottom,
                         rect.top, bold and ch.isalpha()))
    if cur:
        fragments.append(cur)
    tp.close()
    page.close()
    out.lines = _merge_fragments([_Line(f, index + 1).finish() for f in fragments if any(ch.ch.strip() for ch in f)])
    return out


def _merge_fragments(lines: list[_Line]) -> list[_Line]:
    """PDFium breaks a line where a superscript raises the baseline: join a fragment to the
    one before it when it starts where that one ends and they overlap vertically."""
    out: list[_Line] = []
    for ln in lines:
        if out:
            prev = out[-1]
            gap = ln.x0 - prev.x1
            size = max(prev.size, ln.size)
            overlap = min(prev.top, ln.top) - max(prev.bottom, ln.bottom)
            if -2 <= gap <= 0.6 * size and overlap > 0.3 * min(prev.top - prev.bottom, ln.top - ln.bottom):
                prev.chars.extend(ln.chars)
                prev.finish()
                continue
        out.append(ln)
    return out


# ---------------------------------------------------------------- layout


_NOTE_PLAIN = re.compile(r"^\s*(\d{1,3})[.)]?[ \t\u00a0]+(?=\S)")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:/|of)\s*\d{1,4})?\s*$", re.IGNORECASE)


class _Layout:
    def __init__(self, pages: list[_Page]) -> None:
        self.pages = pages
        sizes: Counter = Counter()
        for p in pages:
            for ln in p.lines:
                sizes[ln.size] += sum(1 for c in ln.chars if c.ch.strip())
        self.body_size = max(sizes, key=lambda s: (sizes[s], s)) if sizes else 10.0
        self.dropped = 0
        self._drop_running_lines()
        self.notes_found: set[int] = set()
        self._find_zones()
        self._find_paragraphs()

    # -- headers, footers, page numbers

    def _drop_running_lines(self) -> None:
        def key(ln: _Line) -> str:
            return re.sub(r"\d+", "#", " ".join(ln.text().split())).lower()

        edge: Counter = Counter()
        for p in self.pages:
            for ln in p.lines:
                if self._at_edge(ln, p):
                    edge[key(ln)] += 1
        limit = max(2, (len(self.pages) + 1) // 2) if len(self.pages) >= 3 else 10 ** 6
        for p in self.pages:
            kept = []
            for ln in p.lines:
                if self._at_edge(ln, p) and (edge[key(ln)] >= limit or _PAGE_NUMBER.match(ln.text())):
                    self.dropped += 1
                    continue
                kept.append(ln)
            p.lines = kept

    @staticmethod
    def _at_edge(ln: _Line, page: _Page) -> bool:
        return ln.bottom >= page.height * 0.91 or ln.top <= page.height * 0.085

    # -- footnote zones

    def _find_zones(self) -> None:
        open_note = False
        last = 0
        for p in self.pages:
            if not p.lines:
                continue
            zone = self._zone_by_rule(p, open_note) or self._zone_by_size(p, open_note, last)
            if not zone:
                continue
            first = True
            for ln in zone:
                ln.zone = True
                number, nchars = self._note_number(ln, last, first)
                first = False
                if number is not None:
                    ln.note = number
                    ln.note_chars = nchars
                    last = number
                    self.notes_found.add(number)
            open_note = True
        self.last_note = last

    def _zone_by_rule(self, p: _Page, open_note: bool) -> list[_Line]:
        starts = [ln.x0 for ln in p.lines]
        best: list[_Line] = []
        for left, bottom, right, top in sorted(p.rules, key=lambda r: -r[3]):
            if top > p.height * 0.88:
                continue
            if not any(abs(left - s) <= 8 for s in starts):
                continue
            below = [ln for ln in p.lines if ln.top <= bottom + 1.0]
            if not below or len(below) == len(p.lines):
                continue
            if any(ln.size > self.body_size * 1.05 for ln in below):
                continue
            head = max(below, key=lambda ln: ln.y)
            if self._note_number(head, 0, True)[0] is None and not open_note:
                continue
            if len(below) > len(best):
                best = below
        return sorted(best, key=lambda ln: -ln.y) if best else []

    def _zone_by_size(self, p: _Page, open_note: bool, last: int) -> list[_Line]:
        ordered = sorted(p.lines, key=lambda ln: ln.y)  # bottom first
        run: list[_Line] = []
        for ln in ordered:
            if ln.size <= self.body_size * 0.92:
                run.append(ln)
            else:
                break
        if not run or len(run) == len(p.lines):
            return []
        run.sort(key=lambda ln: -ln.y)
        # the zone starts at the topmost line of the run that opens a note
        for i, ln in enumerate(run):
            number = self._note_number(ln, 0, True)[0]
            if number is not None:
                # without a rule, only the note that comes next opens a zone (not a
                # reference list set small)
                if number <= last or number != last + 1 and number not in self._marks_on(p):
                    return []
                return run if i == 0 or open_note else run[i:]
        return []

    def _marks_on(self, p: _Page) -> set[int]:
        """Numbers set as superscripts after a word on a page (note marks, probably)."""
        out = set()
        for ln in p.lines:
            run = ""
            for prev, c in zip([None, *ln.chars], ln.chars):
                if c.ch.isdigit() and self._raised(c, ln) and (run or prev is not None and prev.ch.strip()):
                    run += c.ch
                    continue
                if run:
                    out.add(int(run))
                    run = ""
            if run:
                out.add(int(run))
        return out

    def _note_number(self, ln: _Line, last: int, first: bool) -> tuple[int | None, int]:
        """The note a zone line starts, and how many of its characters are the number."""
        chars = ln.chars
        i = 0
        while i < len(chars) and not chars[i].ch.strip():
            i += 1
        j = i
        while j < len(chars) and chars[j].ch.isdigit() and j - i < 3:
            j += 1
        if j == i:
            return None, 0
        digits = "".join(c.ch for c in chars[i:j])
        sup = all(self._raised(c, ln) for c in chars[i:j])
        k = j
        if not sup:
            m = _NOTE_PLAIN.match(ln.text())
            if not m:
                return None, 0
            number = int(m.group(1))
            if not (first or number == last + 1):
                return None, 0
            return number, m.end()
        if j < len(chars) and chars[j].ch.isdigit():
            return None, 0
        while k < len(chars) and chars[k].ch in " \t\u00a0":
            k += 1
        return int(digits), k

    @staticmethod
    def _raised(c: _Char, ln: _Line) -> bool:
        return c.size <= ln.size * 0.85 and c.y > ln.y + 0.15 * ln.size or c.y > ln.y + 0.3 * ln.size

    # -- paragraphs

    def _find_paragraphs(self) -> None:
        gaps = []
        lefts: Counter = Counter()
        for p in self.pages:
            body = [ln for ln in p.lines if not ln.zone]
            for a, b in pairwise(body):
                d = a.y - b.y
                if 0 < d < 3.5 * max(a.size, 1) and abs(a.size - b.size) < 0.5:
                    gaps.append(round(d, 1))
            for ln in body:
                lefts[round(ln.x0)] += 1
        self.line_gap = statistics.median(gaps) if gaps else self.body_size * 1.2
        gap_breaks = sum(1 for g in gaps if g > self.line_gap * 1.3)
        self.use_gaps = gap_breaks > 0
        last_line: _Line | None = None
        last_right = 0.0
        for p in self.pages:
            body = [ln for ln in p.lines if not ln.zone]
            margins = self._margins(body)
            ends = sorted(ln.x1 for ln in body)
            right = ends[int(len(ends) * 0.9)] if ends else p.width
            prev: _Line | None = None
            for ln in body:
                ink = ln.text().strip()
                if ink.isdigit() and len(ink) <= 6 and ln.size <= self.body_size * 0.85 and prev is not None:
                    ln.mark_only = True
                    continue
                left = self._column_left(ln, margins)
                indent = ln.x0 - left
                ln.quote = indent >= 1.5 * self.body_size and ln.size <= self.body_size * 1.05
                ln.heading = (ln.size >= self.body_size * 1.15 or ln.bold) and len(ln.text().strip()) <= 100 and \
                    not ln.text().rstrip().endswith((".", ",", ";"))
                if prev is None:
                    ln.new_para = p.number == 1 or indent >= 0.8 * self.body_size and not ln.quote or \
                        (last_line is not None and self._ended(last_line, last_right))
                    prev = ln
                    continue
                d = prev.y - ln.y
                new = False
                if d <= 0 or d > 4 * self.line_gap:  # a new column or page
                    new = 0.8 * self.body_size <= indent < 4 * self.body_size and not ln.quote or \
                        self._ended(prev, right)
                else:
                    if self.use_gaps and d > self.line_gap * 1.3:
                        new = True
                    if 0.8 * self.body_size <= indent < 4 * self.body_size and not prev.quote and not ln.quote:
                        new = True
                    if abs(ln.size - prev.size) > 0.15 * self.body_size:
                        new = True
                    if ln.quote != prev.quote or ln.heading != prev.heading:
                        new = True
                ln.new_para = new
                prev = ln
            if body:
                last_line, last_right = body[-1], right

    def _ended(self, ln: _Line, right: float) -> bool:
        """A line that stops short of the column's right edge after a full stop ends its
        paragraph."""
        text = ln.text().rstrip()
        return ln.x1 < right - 3 * self.body_size and text.endswith((".", "!", "?", ":", "”", "’", '"', ")"))

    @staticmethod
    def _margins(lines: list[_Line]) -> list[float]:
        counts: Counter = Counter(round(ln.x0 / 3) * 3 for ln in lines)
        total = sum(counts.values())
        margins = sorted(x for x, n in counts.items() if n >= max(2, total * 0.15))
        return margins or sorted(counts)[:1]

    @staticmethod
    def _column_left(ln: _Line, margins: list[float]) -> float:
        left = None
        for m in margins:
            if m <= ln.x0 + 3:
                left = m
        return left if left is not None else ln.x0

    # -- rendering

    def render(self, shown: str) -> Source:
        chunks: list[str] = []
        pos = 0

        def put(text: str) -> int:
            nonlocal pos
            start = pos
            chunks.append(text)
            pos += len(text)
            return start

        blocks: list[dict] = []
        notes: list[tuple[int, int, int, int]] = []  # candidate marks: number, start, end, page
        para: dict | None = None
        note_block: dict | None = None
        note_paragraphs: Counter = Counter()
        body_count = 0

        def close_note() -> None:
            nonlocal note_block
            if note_block is not None:
                blocks.append(note_block)
                note_block = None

        for pi, p in enumerate(self.pages):
            body = [ln for ln in p.lines if not ln.zone]
            zone = [ln for ln in p.lines if ln.zone]
            first_on_page = True
            for ln in body:
                if ln.new_para or para is None:
                    if para is not None:
                        blocks.append(para)
                    if pos:
                        put(" \n\n")
                if first_on_page and pi > 0:
                    put("\f")
                first_on_page = False
                start = pos
                self._put_line(ln, put, notes, lambda: pos)
                if ln.new_para or para is None:
                    body_count += 1
                    para = {"start": start, "end": pos, "part": "body", "paragraph": body_count, "note": None,
                            "page": p.number, "quote": ln.quote, "heading": ln.heading, "exclude": []}
                else:
                    para["end"] = pos
                    para["quote"] = para["quote"] and ln.quote
                    para["heading"] = para["heading"] and ln.heading
                put("\n\n")
            if zone:
                close_note()
                if first_on_page and pi > 0:
                    put("\f\n\n")
                    first_on_page = False
                zone_start = pos
                put(ZONE_LINE + "\n\n")
                for ln in zone:
                    text_start = pos
                    if ln.note is not None:
                        close_note()
                        put(f"{ln.note} ")
                        text_start = pos
                        self._put_line(ln, put, [], lambda: pos, skip=ln.note_chars)
                        note_paragraphs[ln.note] += 1
                        note_block = {"start": text_start, "end": pos, "part": "footnote",
                                      "paragraph": note_paragraphs[ln.note], "note": ln.note, "page": p.number}
                    else:
                        self._put_line(ln, put, [], lambda: pos)
                        if note_block is not None:
                            note_block["end"] = pos
                        elif blocks and blocks[-1]["part"] == "footnote":
                            last = blocks[-1]["note"]
                            note_paragraphs[last] += 1
                            note_block = {"start": text_start, "end": pos, "part": "footnote",
                                          "paragraph": note_paragraphs[last], "note": last, "page": p.number}
                    put("\n\n")
                close_note()
                if para is not None:
                    para.setdefault("zones", []).append((zone_start, pos))
            if first_on_page and pi > 0:
                put("\f\n\n")
        if para is not None:
            blocks.append(para)
        text = "".join(chunks)
        out_blocks = []
        for b in sorted(blocks, key=lambda b: b["start"]):
            exclude = tuple((s, e) for s, e in b.get("zones", []) if b["start"] <= s < b["end"])
            out_blocks.append(Block(b["start"], b["end"], b["part"], b["paragraph"], b["note"], b["page"],
                                    bool(b.get("quote")), bool(b.get("heading")), exclude))
        refs = self._pair_marks(notes, {b["note"]: b["page"] for b in reversed(blocks) if b["part"] == "footnote"})
        warnings = []
        if self.dropped:
            warnings.append(f"{shown}: {self.dropped} running header/footer or page-number line(s) left out")
        return Source(shown, text, "utf-8", tuple(warnings), "pdf", tuple(out_blocks), refs)

    @staticmethod
    def _pair_marks(marks: list[tuple[int, int, int, int]], pages: dict[int, int]) -> tuple[NoteRef, ...]:
        """One mark per note: the first with its number after the previous note's mark, on
        the note's page if there is one there, else on the page before, else anywhere."""
        out = []
        after = -1
        for number in sorted(pages):
            cands = [m for m in marks if m[0] == number and m[1] > after]
            page = pages[number]
            pick = next((m for m in cands if m[3] == page), None) or \
                next((m for m in cands if m[3] == page - 1), None) or (cands[0] if cands else None)
            if pick is not None:
                out.append(NoteRef(number, pick[1], pick[2], "footnote"))
                after = pick[1]
        return tuple(out)

    def _put_line(self, ln: _Line, put, notes: list, where, skip: int = 0) -> None:
        chars = ln.chars[skip:]
        # leading white space of a line is not text
        while chars and not chars[0].ch.strip():
            chars = chars[1:]
        while chars and not chars[-1].ch.strip():
            chars = chars[:-1]
        i = 0
        buf: list[str] = []
        while i < len(chars):
            c = chars[i]
            if c.ch.isdigit() and (self._raised(c, ln) and (i > 0 and chars[i - 1].ch.strip() or i == 0 and not ln.zone)
                                   or c.size <= ln.size * 0.85 and c.y > ln.y + 0.15 * ln.size
                                   or ln.mark_only):
                j = i
                while j < len(chars) and chars[j].ch.isdigit() and (self._raised(chars[j], ln) or ln.mark_only):
                    j += 1
                digits = "".join(x.ch for x in chars[i:j])
                if buf:
                    put("".join(buf))
                    buf = []
                start = where()
                put(digits.translate(SUPERSCRIPT))
                offset = start
                for part in _split_marks(digits, self.notes_found, notes[-1][0] if notes else 0):
                    notes.append((int(part), offset, offset + len(part), ln.page))
                    offset += len(part)
                i = j
                continue
            buf.append(c.ch if c.ch not in "\r\n\f" else " ")
            i += 1
        if buf:
            put("".join(buf))


def _split_marks(digits: str, known: set[int], last: int) -> list[str]:
    """Superscript digits as note numbers: "12" is note 12 where there is one and it can
    come next, else marks standing side by side ("3637": notes 36 and 37, each the one
    after the other, the first the one after `last`)."""
    whole = int(digits)
    if not known or len(digits) == 1 or whole in known and whole == last + 1:
        return [digits]

    def split(rest: str, prev: int | None) -> list[str] | None:
        if not rest:
            return []
        for k in range(1, min(3, len(rest)) + 1):
            head = rest[:k]
            if head.startswith("0"):
                break
            n = int(head)
            if n in known and (prev is None or n == prev + 1):
                tail = split(rest[k:], n)
                if tail is not None:
                    return [head] + tail
        return None

    parts = split(digits, None)
    if parts and (whole not in known or int(parts[0]) == last + 1):
        return parts
    return [digits]
