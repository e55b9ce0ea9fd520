"""From a manuscript's text to its model: citations, notes and quotations, spans in the original."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..model import CiteItem, Citation, Document, Note, Quotation, QuoteMark, ReferenceString
from ..readers import Source
from ..locators import parse_locator
from ..segment import Layout, Segment, layout_of
from ..text import Cover, LineIndex, Span
from .citations import Found, find_citations, looks_like_title
from .known import KnownNames
from .notes import Marker, find_markers, select_markers
from .quotations import QuotePair, is_quotation, scan, top_level, word_count
from .references import find_references

_AFTER_FINAL = re.compile(r"^[\s.]*(?:\d{1,3}|[¹²³⁴⁵⁶⁷⁸⁹]+)?[\s.]*$")
_SENTENCE_END = re.compile(r"[.!?…][’”\"']?\s+[A-Z‘“\"(\[]")
_TITLE_AFTER = re.compile(r"[\s,.;:]{0,3}\((?P<c>[^()]{3,200})\)")
_TITLE_INTRO = re.compile(r"\b(?:titled?|titles|entitled|called|named)\b[^.!?]{0,30}$", re.IGNORECASE)
_TERMINAL = tuple(".!?…’”\"'")


@dataclass(slots=True)
class _Seg:
    """Working state of one segment while its document is extracted."""

    seg: Segment
    found: list[Found] = field(default_factory=list)
    quotes: list[QuotePair] = field(default_factory=list)  # top-level pairs of five words or more
    unbalanced: list[tuple[int, bool]] = field(default_factory=list)
    block_end: int | None = None  # for block quotations: where the quoted text ends
    block_cite: Found | None = None
    starts: list[int] = field(default_factory=list)  # start of each found citation, in order
    opens: list[int] = field(default_factory=list)  # opening mark of each quotation, in order


def extract(source: Source, known: KnownNames | None = None) -> Document:
    """Build the model of one manuscript. `known`: the names and titles of the bibliography
    the manuscript will be checked against, which make more citations recognisable."""
    layout = layout_of(source)
    segs = layout.body + layout.notes
    marked, outside = _marked(source, segs)
    work = [_prepare(seg, layout, known, marked.get(k, [])) for k, seg in enumerate(segs)]
    body = [w for w in work if w.seg.kind != "note"]
    _classify_blocks(body, layout.quotes)

    # the citations found in the prose, and those the format marks where there is no prose
    # (a \cite in a macro the preamble defines and the body uses): each at its place
    placed: list[tuple[int, Found | None, _Seg | Citation]] = [
        (w.seg.mapped.span(f.start, f.end).start, f, w) for w in work for f in w.found]
    placed += [(c.span.start, None, c) for c in outside]
    placed.sort(key=lambda p: p[0])
    index = {id(f): i for i, (_start, f, _w) in enumerate(placed) if f is not None}
    model_citations = [_citation(f, w) if f is not None else w for _start, f, w in placed]
    model_citations = _link_ibid(model_citations)

    quotations: list[Quotation] = []
    for w in work:
        quotations.extend(_quotations(w, index))
    quotations.sort(key=lambda q: q.span.start)

    notes = _notes(layout, body)
    unbalanced = sorted(
        (QuoteMark(w.seg.mapped.span(pos, pos + 1), w.seg.text[pos], opening) for w in work for pos, opening in w.unbalanced),
        key=lambda m: m.span.start,
    )
    lines = LineIndex(source.text)
    paragraphs = sorted(
        (lines.line(w.seg.ranges[0][0]), lines.line(w.seg.ranges[-1][1])) for w in work if w.seg.ranges
    )
    return Document(
        path=source.path,
        text=source.text,
        citations=tuple(model_citations),
        notes=tuple(notes),
        quotations=tuple(quotations),
        unbalanced_quotes=tuple(unbalanced),
        paragraphs=tuple(paragraphs),
        warnings=source.warnings,
        lines=lines,
        references=tuple(ReferenceString(s.mapped.span(0, len(s.mapped.text)), s.text) for s in layout.references),
        format=source.format,
        blocks=source.blocks if source.format != "text" else (),
        nocite=tuple(dict.fromkeys(r.key for m in source.marked if m.mode == "nocite" for r in m.refs)),
        embedded=_embedded(source),
    )


def _embedded(source: Source) -> tuple[tuple[str, dict], ...]:
    seen: dict[str, dict] = {}
    for m in source.marked:
        for r in m.refs:
            if r.data is not None and r.key not in seen:
                seen[r.key] = r.data
    return tuple(seen.items())


def _marked(source: Source, segs: list[Segment]) -> tuple[dict[int, list[Found]], list[Citation]]:
    """The citations the format marks (pandoc's [@key], \\cite{key}, a Zotero field) as found
    citations of kind "key", by segment, in the segment's own offsets; and, as citations of
    their own, those in no segment's prose (LaTeX runs a \\cite that a macro of the preamble
    holds wherever the body uses the macro: BibTeX counts it, and so does citeaudit)."""
    out: dict[int, list[Found]] = {}
    outside: list[Citation] = []
    if not source.marked:
        return out, outside
    starts = sorted((seg.mapped.omap[0], k) for k, seg in enumerate(segs) if seg.mapped.text)
    firsts = [a for a, _k in starts]
    for m in source.marked:
        if m.mode == "nocite":
            continue
        # the segment whose prose holds it: a note's segment may start inside the
        # paragraph that calls it (LaTeX's \footnote{...}), so look back past such
        i = bisect.bisect_right(firsts, m.start) - 1
        for j in range(i, max(-1, i - 64), -1):
            k = starts[j][1]
            omap = segs[k].mapped.omap
            a = bisect.bisect_left(omap, m.start, 0, len(omap) - 1)
            if a >= len(omap) - 1 or omap[a] >= m.end:
                continue  # not in this segment's prose
            b = bisect.bisect_left(omap, m.end, 0, len(omap) - 1)
            out.setdefault(k, []).append(Found(a, max(b, a + 1), "key", tuple(_key_item(r, m.mode) for r in m.refs)))
            break
        else:
            outside.append(Citation(Span(m.start, m.end), " ".join(source.text[m.start:m.end].split()), "key",
                                    tuple(_key_item(r, m.mode) for r in m.refs)))
    return out, outside


def _key_item(r, mode: str) -> CiteItem:
    locator = pages = volume = None
    if r.locator:
        parsed = parse_locator(r.locator)
        locator = r.locator
        if parsed:
            _loc, pages, volume = parsed
    return CiteItem(authors=(), year=None, locator=locator, pages=pages, prefix=r.prefix or None, volume=volume, key=r.key)


def _prepare(seg: Segment, layout: Layout, known: KnownNames | None = None, marked: list[Found] | None = None) -> _Seg:
    w = _Seg(seg)
    text = seg.text
    found = list(marked or [])
    cover = Cover(len(text))
    for f in found:
        cover.add(f.start, f.end)
    for f in find_citations(text, known):
        if not cover.overlaps(f.start, f.end):
            found.append(f)
            cover.add(f.start, f.end)
    for ref in find_references(text):
        if not cover.overlaps(ref.start, ref.end):
            found.append(ref)
            cover.add(ref.start, ref.end)
    qs = scan(text, layout.quote_style, tuple(sorted(f.start for f in found if f.kind in ("parenthetical", "narrative", "key"))))
    w.unbalanced = qs.unbalanced
    w.quotes = [
        p
        for p in top_level(qs.pairs)
        if is_quotation(text[p.inner[0] : p.inner[1]])
        and not _TITLE_INTRO.search(text[max(0, p.open - 60) : p.open])
        and not cover.covers(p.open)
    ]
    for pair in w.quotes:
        m = _TITLE_AFTER.match(text, pair.close + 1)
        if not m:
            continue
        start, end = m.start("c") - 1, m.end("c") + 1
        if cover.covers(start):
            continue
        if looks_like_title(m.group("c")):
            title = " ".join(m.group("c").split())
            found.append(Found(start, end, "title", (CiteItem(authors=(), year=None, title=title),)))
            cover.add(start, end)
    found.sort(key=lambda f: (f.start, f.end))
    w.found = found
    w.starts = [f.start for f in found]
    w.opens = [p.open for p in w.quotes]
    return w


def _classify_blocks(body: list[_Seg], quotes: set[int] = frozenset()) -> None:
    """Mark set-off quotations: paragraphs that end with the citation of the passage they
    quote; and the paragraphs a format sets off as quotations (a Quote style, an indent),
    attributed to the citation that ends them or, failing that, one that opens the next."""
    prev: _Seg | None = None
    for k, w in enumerate(body):
        if w.seg.kind == "paragraph":
            final = _final_citation(w)
            if final is not None and (k in quotes or _is_block(w, final, prev)):
                w.block_cite = final
                w.block_end = len(w.seg.text[: final.start].rstrip())
            elif k in quotes and w.seg.text.strip():
                nxt = body[k + 1] if k + 1 < len(body) else None
                opening = nxt.found[0] if nxt is not None and nxt.found and nxt.found[0].start < 3 else None
                w.block_cite = opening
                w.block_end = len(w.seg.text.rstrip())
        prev = w if w.seg.kind == "paragraph" else None


def _final_citation(w: _Seg) -> Found | None:
    """The citation that ends the paragraph, if one does (a note marker may follow it)."""
    if not w.found:
        return None
    last = max(w.found, key=lambda f: f.end)
    if last.kind in ("parenthetical", "ibid", "title", "key") and _AFTER_FINAL.match(w.seg.text[last.end :]):
        return last
    return None


def _is_block(w: _Seg, final: Found, prev: _Seg | None) -> bool:
    text = w.seg.text
    before = text[: final.start].rstrip()
    if not before:
        return False
    for pair in w.quotes:
        if pair.close < final.start and text[pair.close + 1 : final.start].strip(" ,.;:") == "":
            return False  # "... ’ (Althusser, 2015, p. 154)." attributes an inline quotation
    if not text[final.end :].lstrip().startswith("."):
        return True
    first = text.lstrip()[:1]
    if first in ("[", "…") or text.lstrip().startswith("...") or first.islower():
        return True
    if prev is not None:
        prev_text = prev.seg.text.rstrip()
        if prev_text.endswith((":", ",")) or not prev_text.endswith(_TERMINAL):
            return True
    return False


def _citation(f: Found, w: _Seg) -> Citation:
    mapped = w.seg.mapped
    return Citation(
        span=mapped.span(f.start, f.end),
        text=mapped.text[f.start : f.end],
        kind=f.kind,
        items=f.items,
        note=w.seg.note_number if w.seg.kind == "note" else None,
    )


def _link_ibid(citations: list[Citation]) -> list[Citation]:
    """ibid. and op. cit. point to the citation they repeat: the closest earlier one."""
    out: list[Citation] = []
    last_full: int | None = None
    for i, c in enumerate(citations):
        if c.kind == "ibid":
            target = last_full
            authors = c.items[0].authors if c.items else ()
            if authors:  # op. cit.: the last citation of the same author
                target = next(
                    (j for j in range(i - 1, -1, -1) if citations[j].kind != "ibid"
                     and any(it.authors[:1] == authors[:1] for it in citations[j].items)),
                    None,
                )
            out.append(Citation(c.span, c.text, c.kind, c.items, c.note, target))
            continue
        out.append(c)
        last_full = i
    return out


def _quotations(w: _Seg, index: dict[int, int]) -> list[Quotation]:
    seg = w.seg
    text = seg.text
    note = seg.note_number if seg.kind == "note" else None
    out: list[Quotation] = []
    if w.block_end is not None:
        span = seg.mapped.span(0, w.block_end)
        out.append(Quotation(span, text[: w.block_end], "block", index.get(id(w.block_cite)), note))
        return out
    for pair in w.quotes:
        inner_start, inner_end = pair.inner
        cite = _closing_citation(w, pair) or _introducing_citation(w, pair)
        out.append(
            Quotation(
                seg.mapped.span(pair.open, pair.close + 1),
                text[inner_start:inner_end].strip(" \u00a0\u202f\u2009"),  # « French spacing »
                "inline",
                index.get(id(cite)) if cite is not None else None,
                note,
            )
        )
    return out


def _gap_text(w: _Seg, start: int, end: int) -> str:
    """Text between two offsets with the quotations in it left out."""
    parts = []
    pos = start
    for k in range(bisect.bisect_left(w.opens, start), len(w.quotes)):
        pair = w.quotes[k]
        if pair.open >= end:
            break
        if pair.close < end:
            parts.append(w.seg.text[pos : pair.open])
            pos = pair.close + 1
    parts.append(w.seg.text[pos:end])
    return " ".join(parts)


#: Characters between a quotation and its citation beyond which they cannot belong together
#: (a dozen words, or a few quotations between): keeps the search local in a long line.
_REACH = 5000


def _closing_citation(w: _Seg, pair: QuotePair) -> Found | None:
    """The citation right after a quotation, a few words later at most."""
    k = bisect.bisect_right(w.starts, pair.close)
    if k == len(w.found) or w.found[k].start - pair.close > _REACH:
        return None
    f = w.found[k]
    gap = _gap_text(w, pair.close + 1, f.start)
    if _SENTENCE_END.search(gap):
        return None
    words = word_count(gap)
    if f.kind == "narrative":
        return f if words <= 4 else None
    return f if words <= 12 else None


def _introducing_citation(w: _Seg, pair: QuotePair) -> Found | None:
    """A narrative citation that introduces the quotation in the same sentence."""
    # a citation that starts at or after the opening mark cannot end before it
    for k in range(bisect.bisect_left(w.starts, pair.open) - 1, -1, -1):
        f = w.found[k]
        if f.end > pair.open:
            continue
        if pair.open - f.end > _REACH:
            return None
        if f.kind != "narrative":
            return None
        gap = _gap_text(w, f.end, pair.open)
        if _SENTENCE_END.search(gap) or word_count(gap) > 25:
            return None
        return f
    return None


def _notes(layout: Layout, body: list[_Seg]) -> list[Note]:
    note_segs = layout.notes
    if layout.markers is not None:  # the format pairs each mark with its note (footnotes and
        # endnotes numbered apart)
        notes = []
        for s in note_segs:
            mark = layout.markers.get((s.note_style, s.note_number or 0))
            notes.append(Note(s.note_number or 0, Span(*mark) if mark else None,
                              Span(s.mapped.omap[0], s.mapped.omap[len(s.mapped.text)]), s.text, s.note_style or "footnote"))
        for (part, number), mark in layout.markers.items():
            if all((s.note_style, s.note_number) != (part, number) for s in note_segs):
                notes.append(Note(number, Span(*mark), None, "", part))
        return sorted(notes, key=lambda n: (n.style != "footnote", n.number, n.marker.start if n.marker else 0))
    numbers = [s.note_number for s in note_segs if s.note_number]
    styles = {s.note_style for s in note_segs if s.note_style}
    candidates: list[tuple[Marker, Segment]] = []
    for w in body:
        excluded = Cover(len(w.seg.text))
        for f in w.found:
            excluded.add(f.start, f.end)
        for mk in find_markers(w.seg.text):
            if excluded.covers(mk.start):
                continue
            candidates.append((mk, w.seg))
    candidates.sort(key=lambda ms: ms[1].mapped.span(ms[0].start, ms[0].end).start)
    kept = select_markers([m for m, _s in candidates], numbers, styles)
    kept_ids = {id(m) for m in kept}
    markers: dict[int, Span] = {}
    for mk, seg in candidates:
        if id(mk) in kept_ids and mk.number not in markers:
            markers[mk.number] = seg.mapped.span(mk.start, mk.end)
    notes: list[Note] = []
    seen: set[int] = set()
    for s in note_segs:
        number = s.note_number or 0
        first = number not in seen
        seen.add(number)
        body_span = Span(s.mapped.omap[0], s.mapped.omap[len(s.mapped.text)])
        notes.append(Note(number, markers.get(number) if first else None, body_span, s.text, s.note_style or "zone"))
    for number, span in markers.items():
        if number not in seen:
            notes.append(Note(number, span, None, "", "marker"))
    notes.sort(key=lambda n: (n.number, n.body.start if n.body else n.marker.start if n.marker else 0))
    return notes
