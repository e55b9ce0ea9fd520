"""Quotations checked against the full text of what they cite, and against every manuscript
checked with them."""

from __future__ import annotations

import bisect
import os
from pathlib import Path

from ..bibliography import Bibliography, Entry
from ..model import CrossMatch, Document, QuoteMatch, QuoteResults, Resolutions, SourceCheck
from .engine import VARIANT, Alignment, Searcher, Text, make_query, make_text

#: Cross-manuscript matches need this many words: short phrases recur by chance.
MIN_CROSS_WORDS = 8


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
        out[e.key] = (path, make_text(e.key, text, e.first_page), text)
    return out


def _lines(raw: str, words: Text, a: Alignment) -> tuple[int, int]:
    """First and last line of the text an alignment spans."""
    return raw.count("\n", 0, words.starts[a.start]) + 1, raw.count("\n", 0, words.ends[a.end - 1]) + 1


def _match(a: Alignment, source: str, lines: tuple[int | None, int | None]) -> QuoteMatch:
    return QuoteMatch(source, a.score, a.kind, a.page, a.last_page, lines[0], lines[1], a.differences)


def check_quotations(documents: list[Document], resolutions: Resolutions, bib: Bibliography | None,
                     sources_dir: str | None) -> QuoteResults:
    """Look each attributed quotation up in its source's full text, and every quotation in
    every manuscript."""
    sources = load_sources(bib, sources_dir) if bib is not None else {}

    # 1. quotations against the sources their citations name
    checks: list[SourceCheck] = []
    wanted: dict[str, list[tuple[Document, int, int, int]]] = {}
    for doc in documents:
        for qi, q in enumerate(doc.quotations):
            if q.citation is None:
                continue
            for ii, r in enumerate(resolutions.citation(doc.path, q.citation)):
                if r.key in sources:
                    wanted.setdefault(r.key, []).append((doc, qi, q.citation, ii))
    for key, asks in wanted.items():
        path, words_, raw = sources[key]
        searcher = Searcher([make_query(n, doc.quotations[qi].text) for n, (doc, qi, _c, _i) in enumerate(asks)])
        found = {a.query: a for a in searcher.search(words_)}
        for n, (doc, qi, ci, ii) in enumerate(asks):
            a = found.get(n)
            match = _match(a, a.text, _lines(raw, words_, a)) if a is not None else None
            checks.append(SourceCheck(doc.path, qi, ci, ii, key, match, path))

    # 2. every quotation against every manuscript
    cross: list[CrossMatch] = []
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
            for a in searcher.search(text, exclude=own, best_of=5, every=VARIANT):
                di, qi = a.query
                other = documents[ti]
                start, end = text.starts[a.start], text.ends[a.end - 1]
                other_q = next(
                    (j for j, oq in enumerate(other.quotations) if oq.span.start < end and start < oq.span.end and not (ti == di and j == qi)),
                    None,
                )
                line = other.lines.line(start)
                cross.append(CrossMatch(documents[di].path, qi, other.path, other_q, _match(a, other.path, (line, None))))
    return QuoteResults(tuple(checks), tuple(cross))


def _word_span(text: Text, span) -> tuple[int, int]:
    """Word indices of a character span of the text."""
    return bisect.bisect_right(text.ends, span.start), bisect.bisect_left(text.starts, span.end)
