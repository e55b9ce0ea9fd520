"""Quotations checked against the full text of what they cite, and against every manuscript
checked with them."""

from __future__ import annotations

import bisect
import os
from dataclasses import replace

from ..bibliography import Bibliography, Entry
from ..model import CrossMatch, Document, QuoteMatch, QuoteResults, Resolutions, SourceCheck, SourceProblem
from .engine import VARIANT, Alignment, Searcher, Text, make_query, make_text

#: Cross-manuscript matches need this many words: short phrases recur by chance.
MIN_CROSS_WORDS = 8


#: The largest source text read; a bigger one is reported, not read.
MAX_SOURCE_BYTES = 64 * 1024 * 1024
_TEXT_SUFFIXES = (".txt", ".text", ".md")


def _inside(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    for root in roots:
        top = os.path.realpath(root)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return True
    return False


def _candidates(e: Entry, sources_dir: str | None) -> list[tuple[str, str]]:
    """(path, as named) of the files that may hold an entry's full text: its `file` field,
    relative to its .bib (JabRef writes "description:path:type"), then KEY.txt in the sources
    folder."""
    out = []
    raw = e.fields.get("file", "").strip()
    if raw:
        parts = [raw] + [p for p in raw.split(":") if p.strip()] if ":" in raw else [raw]
        for part in dict.fromkeys(parts):
            path = part if os.path.isabs(part) else os.path.join(os.path.dirname(e.path) or ".", part)
            out.append((path, part))
    if sources_dir:
        for suffix in (".txt", ".text"):
            out.append((os.path.join(sources_dir, e.key + suffix), os.path.join(sources_dir, e.key + suffix)))
    return out


def find_source(e: Entry, sources_dir: str | None, roots: list[str]) -> tuple[str | None, SourceProblem | None]:
    """The path of an entry's full text, or why it cannot be read. Only files inside the
    folders the user named (the .bib's folder, the sources folder) are read; any other path
    is reported, never opened."""
    problem = None
    named_in_field = bool(e.fields.get("file", "").strip())
    for path, named in _candidates(e, sources_dir):
        if not os.path.lexists(path):
            continue
        if not _inside(path, roots):
            problem = problem or SourceProblem(e.key, named, "is outside the folders named for this run (the .bib's folder, "
                                               "--sources); it is not read", e.path, e.line)
            continue
        if not os.path.isfile(path):
            problem = problem or SourceProblem(e.key, named, "is not a regular file", e.path, e.line)
            continue
        if not path.lower().endswith(_TEXT_SUFFIXES):
            problem = problem or SourceProblem(e.key, named, "is not a plain-text file (.txt); give the text with --sources",
                                               e.path, e.line)
            continue
        if os.path.getsize(path) > MAX_SOURCE_BYTES:
            problem = problem or SourceProblem(e.key, named, f"is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MB, the most "
                                               "citeaudit reads of a source", e.path, e.line)
            continue
        return path, None
    if problem is None and named_in_field:
        problem = SourceProblem(e.key, e.fields["file"].strip(), "does not exist", e.path, e.line)
    return None, problem


def load_sources(bib: Bibliography, sources_dir: str | None, keys: set[str]) -> tuple[dict[str, tuple[str, Text, str]], list[SourceProblem]]:
    """key -> (path, words, text) of the wanted entries whose full text is at hand, and the
    problems of those whose text is named but cannot be used."""
    roots = [d for d in {os.path.dirname(e.path) or "." for e in bib.entries}] + ([sources_dir] if sources_dir else [])
    out = {}
    problems = []
    for e in bib.entries:
        if e.key not in keys:
            continue
        path, problem = find_source(e, sources_dir, roots)
        if problem is not None:
            problems.append(problem)
        if path is None:
            continue
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_SOURCE_BYTES + 1)
        except OSError as exc:
            problems.append(SourceProblem(e.key, path, f"cannot be read: {exc.strerror or exc}", e.path, e.line))
            continue
        text = data.decode("utf-8", errors="replace")
        out[e.key] = (path, make_text(e.key, text, e.first_page), text)
    return out, problems


def _lines(raw: str, words: Text, a: Alignment) -> tuple[int, int]:
    """First and last line of the text an alignment spans."""
    return raw.count("\n", 0, words.starts[a.start]) + 1, raw.count("\n", 0, words.ends[a.end - 1]) + 1


def _match(a: Alignment, source: str, lines: tuple[int | None, int | None]) -> QuoteMatch:
    return QuoteMatch(source, a.score, a.kind, a.page, a.last_page, lines[0], lines[1], a.differences)


def check_quotations(documents: list[Document], resolutions: Resolutions, bib: Bibliography | None,
                     sources_dir: str | None) -> QuoteResults:
    """Look each attributed quotation up in its source's full text, and every quotation in
    every manuscript."""
    # 1. quotations against the sources their citations name
    checks: list[SourceCheck] = []
    wanted: dict[str, list[tuple[Document, int, int, int]]] = {}
    for doc in documents:
        for qi, q in enumerate(doc.quotations):
            if q.citation is None:
                continue
            for ii, r in enumerate(resolutions.citation(doc.path, q.citation)):
                if r.key is not None:
                    wanted.setdefault(r.key, []).append((doc, qi, q.citation, ii))
    sources, unavailable = load_sources(bib, sources_dir, set(wanted)) if bib is not None else ({}, [])
    for key, asks in wanted.items():
        if key not in sources:
            continue
        path, words_, raw = sources[key]
        searcher = Searcher([make_query(n, doc.quotations[qi].text) for n, (doc, qi, _c, _i) in enumerate(asks)])
        found = {a.query: a for a in searcher.search(words_)}
        for n, (doc, qi, ci, ii) in enumerate(asks):
            a = found.get(n)
            match = _match(a, a.text, _lines(raw, words_, a)) if a is not None else None
            checks.append(SourceCheck(doc.path, qi, ci, ii, key, match, path))
    checks = _look_elsewhere(checks, documents, bib, sources_dir, sources)

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
    return QuoteResults(tuple(checks), tuple(cross), tuple(unavailable))


def _look_elsewhere(checks: list[SourceCheck], documents, bib, sources_dir, sources) -> list[SourceCheck]:
    """Quotations the cited text does not hold, or holds only in other words: are they word
    for word in another source text at hand? Then that work is named, with its page: the
    citation is probably to the wrong work, not a translation."""
    stray = [c for c in checks if c.match is None or c.match.kind == "translation"]
    if not stray or bib is None:
        return checks
    by_path = {d.path: d for d in documents}
    others, _problems = load_sources(bib, sources_dir, {e.key for e in bib.entries} - set(sources))
    others.update(sources)
    searcher = Searcher([make_query(n, by_path[c.path].quotations[c.quotation].text) for n, c in enumerate(stray)])
    best: dict[int, tuple[Alignment, str]] = {}
    for key, (_path, words_, raw) in others.items():
        for a in searcher.search(words_):
            if a.kind == "translation" or stray[a.query].key == key:
                continue
            if a.query not in best or a.score > best[a.query][0].score:
                best[a.query] = (a, key)
    out = list(checks)
    index = {id(c): i for i, c in enumerate(checks)}
    for n, c in enumerate(stray):
        if n in best:
            a, key = best[n]
            _path, words_, raw = others[key]
            out[index[id(c)]] = replace(c, elsewhere=_match(a, key, _lines(raw, words_, a)))
    return out


def _word_span(text: Text, span) -> tuple[int, int]:
    """Word indices of a character span of the text."""
    return bisect.bisect_right(text.ends, span.start), bisect.bisect_left(text.starts, span.end)
