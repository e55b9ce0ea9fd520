"""Quotations checked against the full text of what they cite, and against every manuscript
checked with them."""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..bibliography import Bibliography, Entry
from ..model import Document
from .engine import VARIANT, Match, Searcher, Text, make_query, make_text

#: Cross-manuscript matches need this many words: short phrases recur by chance.
MIN_CROSS_WORDS = 8


@dataclass(slots=True)
class SourceCheck:
    """The outcome of looking a quotation up in the source its citation names."""

    doc: Document
    quotation: int
    citation: int
    item: int
    key: str
    match: Match | None
    source_path: str


@dataclass(slots=True)
class CrossMatch:
    """A quotation found again, in another manuscript or elsewhere in its own."""

    doc: Document
    quotation: int
    other: Document
    other_quotation: int | None
    match: Match
    line: int


@dataclass(slots=True)
class QuoteResults:
    sources: dict[str, str] = field(default_factory=dict)  # key -> path of its full text
    checks: list[SourceCheck] = field(default_factory=list)
    cross: list[CrossMatch] = field(default_factory=list)


def _first_page(e: Entry) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in e.fields.get("pages", "")).split()
    return int(digits[0]) if digits else 1


def source_path(e: Entry, sources_dir: str | None) -> str | None:
    """The full text of an entry: its `file` field (relative to its .bib), or KEY.txt in the
    sources folder."""
    raw = e.fields.get("file", "")
    if raw:
        candidates = [raw] + [p for p in raw.split(":") if p]  # JabRef writes "description:path:type"
        for c in candidates:
            path = c if os.path.isabs(c) else os.path.join(os.path.dirname(e.path), c)
            if os.path.isfile(path):
                return path
    if sources_dir:
        for suffix in (".txt", ".text"):
            path = os.path.join(sources_dir, e.key + suffix)
            if os.path.isfile(path):
                return path
    return None


def load_sources(bib: Bibliography, sources_dir: str | None) -> dict[str, tuple[str, Text, str]]:
    """key -> (path, words, text) of every entry whose full text is at hand."""
    out = {}
    for e in bib.entries:
        path = source_path(e, sources_dir)
        if path is None:
            continue
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        out[e.key] = (path, make_text(e.key, text, _first_page(e)), text)
    return out


def check_quotations(documents: list[Document], resolutions: dict, bib: Bibliography | None, sources_dir: str | None) -> QuoteResults:
    """Look each attributed quotation up in its source's full text, and every quotation in
    every manuscript; fill each quotation's `match` and `also`."""
    results = QuoteResults()
    sources = load_sources(bib, sources_dir) if bib is not None else {}
    results.sources = {k: p for k, (p, _t, _x) in sources.items()}

    # 1. quotations against the sources their citations name
    wanted: dict[str, list[tuple[Document, int, int, int]]] = {}
    for doc in documents:
        res = resolutions.get(doc.path, [])
        for qi, q in enumerate(doc.quotations):
            if q.citation is None or q.citation >= len(res):
                continue
            for ii, r in enumerate(res[q.citation]):
                if r.key in sources:
                    wanted.setdefault(r.key, []).append((doc, qi, q.citation, ii))
    matches: dict[tuple[int, int], Match] = {}
    for key, asks in wanted.items():
        searcher = Searcher([make_query(n, doc.quotations[qi].text) for n, (doc, qi, _c, _i) in enumerate(asks)])
        found = {m.query: m for m in searcher.search(sources[key][1])}
        for n, (doc, qi, ci, ii) in enumerate(asks):
            m = found.get(n)
            results.checks.append(SourceCheck(doc, qi, ci, ii, key, m, sources[key][0]))
            if m is not None and (id(doc), qi) not in matches:
                raw = sources[key][2]
                words_ = sources[key][1]
                m.line = raw.count("\n", 0, words_.starts[m.start]) + 1
                m.end_line = raw.count("\n", 0, words_.ends[m.end - 1]) + 1
                matches[(id(doc), qi)] = m

    # 2. every quotation against every manuscript
    texts = [make_text(doc.path, doc.text) for doc in documents]
    queries = []
    for di, doc in enumerate(documents):
        for qi, q in enumerate(doc.quotations):
            query = make_query((di, qi), q.text)
            if query.length >= MIN_CROSS_WORDS:
                queries.append(query)
    if queries:
        searcher = Searcher(queries)
        for ti, text in enumerate(texts):
            own = {}
            for n, query in enumerate(queries):
                di, qi = query.ident
                if di == ti:
                    own[n] = _word_span(text, documents[di].quotations[qi].span)
            for m in searcher.search(text, exclude=own, best_of=5, every=VARIANT):
                di, qi = m.query
                other = documents[ti]
                start, end = text.starts[m.start], text.ends[m.end - 1]
                other_q = next(
                    (j for j, oq in enumerate(other.quotations) if oq.span.start < end and start < oq.span.end and not (ti == di and j == qi)),
                    None,
                )
                results.cross.append(CrossMatch(documents[di], qi, other, other_q, m, other.lines.line(start)))

    # 3. the model: match and also per quotation
    for doc in documents:
        quotations = []
        for qi, q in enumerate(doc.quotations):
            m = matches.get((id(doc), qi))
            match = None
            if m is not None:
                match = {
                    "source": m.text, "score": m.score, "kind": m.kind, "page": m.page,
                    "last_page": m.last_page, "line": m.line, "end_line": m.end_line,
                    "differences": m.differences,
                }
            also = tuple(
                {
                    "path": x.other.path, "line": x.line, "score": x.match.score, "kind": x.match.kind,
                    "quotation": f"q{x.other_quotation + 1}" if x.other_quotation is not None else None,
                    "differences": x.match.differences,
                }
                for x in results.cross
                if x.doc is doc and x.quotation == qi
            )
            quotations.append(replace(q, match=match, also=also))
        doc.quotations = quotations
    return results


def _word_span(text: Text, span) -> tuple[int, int]:
    """Word indices of a character span of the text."""
    return bisect.bisect_right(text.ends, span.start), bisect.bisect_left(text.starts, span.end)
