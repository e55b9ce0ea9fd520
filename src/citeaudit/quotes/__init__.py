"""Quotations checked against the full text of what they cite, and against every manuscript
checked with them.

The work is in units (units.py): each source text searched once for every distinct
quotation that cites it, each manuscript searched once for every distinct quotation of
every manuscript; an `executor` (parallel.Executor) runs the units in a pool or on a
cluster, and the results are put together here, in the same order whatever ran them.
"""

from __future__ import annotations

import os
from dataclasses import replace

from .._version import __version__
from ..bibliography import Bibliography, Entry
from ..cache import digest, file_state
from ..model import Document, Passage, Place, QuoteMatch, QuoteResults, Resolutions, SourceCheck, SourceProblem
from .engine import Query, QueryIndex, make_query
from .units import MAX_SOURCE_BYTES, ManuscriptUnit, ShinglePrint, SourceHit, SourceUnit, search_manuscript, search_source

__all__ = ["MAX_SOURCE_BYTES", "MIN_CROSS_WORDS", "check_quotations", "find_source"]

#: Cross-manuscript matches need this many words: short phrases recur by chance.
MIN_CROSS_WORDS = 8
#: Manuscripts, or source texts, shorter than this in all are searched in this process even
#: with an executor of several workers: starting a pool would cost more than it saves.
PARALLEL_MIN_CHARS = 1_000_000

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


def candidate_paths(bib: Bibliography, sources_dir: str | None) -> list[str]:
    """Every file a check may look in for a full text, whether it exists or not."""
    return [path for e in bib.entries for path, _named in _candidates(e, sources_dir)]


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


def _roots(bib: Bibliography, sources_dir: str | None) -> list[str]:
    """The folders source texts may be read from: each .bib's, and the sources folder."""
    return [d for d in {os.path.dirname(e.path) or "." for e in bib.entries}] + ([sources_dir] if sources_dir else [])


def _size(units) -> int:
    """Characters (bytes) of the source texts to read: what decides whether a pool pays."""
    total = 0
    for unit in units:
        try:
            total += os.path.getsize(unit.path)
        except OSError:
            pass
    return total


class _Distinct:
    """Queries made of quotations, each distinct wording once (the same text is cut into
    words once); those shorter than `min_length` words are left out."""

    def __init__(self, min_length: int = 0) -> None:
        self.min_length = min_length
        self.ids: dict[tuple, int] = {}
        self.queries: list[Query] = []
        self._texts: dict[str, int | None] = {}

    def add(self, text: str) -> int | None:
        """The query id of a quotation's text, None if it is too short."""
        if text in self._texts:
            return self._texts[text]
        query = make_query(None, text)
        qid = None
        if query.length >= self.min_length:
            qid = self.ids.setdefault(query.key, len(self.ids))
            if qid == len(self.queries):
                self.queries.append(Query(qid, query.pieces))
        self._texts[text] = qid
        return qid

    def wordings(self) -> list[str]:
        """A short digest of each query's words, by query id: what the cache knows a wording
        by from one run to the next (query ids are this run's own)."""
        by_qid = {qid: key for key, qid in self.ids.items()}
        return [digest(repr(by_qid[qid]))[:16] for qid in range(len(self.queries))]


def _match(h: SourceHit, key: str) -> QuoteMatch:
    return QuoteMatch(key, h.score, h.kind, h.page, h.last_page, h.line, h.end_line, h.differences)


def check_quotations(documents: list[Document], resolutions: Resolutions, bib: Bibliography | None,
                     sources_dir: str | None, executor=None, cache=None) -> QuoteResults:
    """Look each attributed quotation up in its source's full text, and every quotation in
    every manuscript. With an `executor` (parallel.Executor) the source texts and the
    manuscripts are searched as independent units on its workers; the results are the same,
    in the same order, as without one. With a `cache` (cache.Cache), what each manuscript
    and each source text was found to hold is kept by its text (a source text by its file)
    and the wordings looked for, so that the next run searches only what changed, and the
    rest only for new wordings."""
    pool = executor is not None and getattr(executor, "parallel", True)

    def run(fn, units, shared, size):
        """The units on the executor's workers, or here where they are too small for that."""
        if pool and size >= PARALLEL_MIN_CHARS:
            return executor.map(fn, units, shared=shared)
        return [fn(unit, shared) for unit in units]

    checks, sources, unavailable = _check_sources(documents, resolutions, bib, sources_dir, run, cache)
    checks = _look_elsewhere(checks, documents, bib, sources_dir, sources, run, cache)
    passages = _cross(documents, run, cache)
    return QuoteResults(tuple(checks), passages, tuple(unavailable))


def _check_sources(documents, resolutions, bib, sources_dir, run, cache=None):
    """1. quotations against the sources their citations name: the checks, the texts read
    (key -> path, first page, what was found in it) and the texts that cannot be."""
    wanted: dict[str, list[tuple[Document, int, int, int, int]]] = {}
    distinct = _Distinct()
    for doc in documents:
        for qi, q in enumerate(doc.quotations):
            if q.citation is None:
                continue
            resolved = resolutions.citation(doc.path, q.citation)
            if not any(r.key is not None for r in resolved):
                continue
            qid = distinct.add(q.text)
            for ii, r in enumerate(resolved):
                if r.key is not None:
                    wanted.setdefault(r.key, []).append((doc, qi, q.citation, ii, qid))
    if bib is None or not wanted:
        return [], {}, []
    roots = _roots(bib, sources_dir)
    located = []
    units = []
    for e in bib.entries:
        if e.key not in wanted:
            continue
        path, problem = find_source(e, sources_dir, roots)
        located.append((e, path, problem))
        if path is not None:
            units.append(SourceUnit(e.key, path, e.first_page, tuple(sorted({ask[4] for ask in wanted[e.key]}))))
    results = iter(_search_sources("cited", units, distinct, run, cache))
    unavailable: list[SourceProblem] = []
    sources: dict[str, tuple[str, int | None, dict[int, SourceHit]]] = {}
    for e, path, problem in located:
        if problem is not None:
            unavailable.append(problem)
        if path is None:
            continue
        found = next(results)
        if isinstance(found, str):
            unavailable.append(SourceProblem(e.key, path, found, e.path, e.line))
            continue
        sources[e.key] = (path, e.first_page, {h.query: h for h in found})
    checks: list[SourceCheck] = []
    for key, asks in wanted.items():
        if key not in sources:
            continue
        path, _first_page, found = sources[key]
        matches = {qid: _match(h, key) for qid, h in found.items()}
        for doc, qi, ci, ii, qid in asks:
            checks.append(SourceCheck(doc.path, qi, ci, ii, key, matches.get(qid), path))
    return checks, sources, unavailable


def _look_elsewhere(checks: list[SourceCheck], documents, bib, sources_dir, sources, run, cache=None) -> list[SourceCheck]:
    """Quotations the cited text does not hold, or holds only in other words: are they word
    for word in another source text at hand? Then that work is named, with its page: the
    citation is probably to the wrong work, not a translation."""
    stray = [c for c in checks if c.match is None or c.match.kind == "translation"]
    if not stray or bib is None:
        return checks
    by_path = {d.path: d for d in documents}
    distinct = _Distinct()
    instances: dict[int, list[int]] = {}
    for n, c in enumerate(stray):
        instances.setdefault(distinct.add(by_path[c.path].quotations[c.quotation].text), []).append(n)
    # every other text at hand, in the order of the bibliography, then those read above
    roots = _roots(bib, sources_dir)
    units = []
    for e in bib.entries:
        if e.key in sources:
            continue
        path, _problem = find_source(e, sources_dir, roots)
        if path is not None:
            units.append(SourceUnit(e.key, path, e.first_page))
    units += [SourceUnit(key, path, first_page) for key, (path, first_page, _found) in sources.items()]
    others: dict[str, list[SourceHit]] = {}
    found_in = _search_sources("other", units, distinct, run, cache)
    for unit, found in zip(units, found_in):
        if not isinstance(found, str):
            others[unit.key] = found
    best: dict[int, tuple[SourceHit, str]] = {}
    for key, found in others.items():
        for h in found:
            if h.kind == "translation":
                continue
            for n in instances[h.query]:
                if stray[n].key != key and (n not in best or h.score > best[n][0].score):
                    best[n] = (h, key)
    out = list(checks)
    index = {id(c): i for i, c in enumerate(checks)}
    for n, c in enumerate(stray):
        if n in best:
            h, key = best[n]
            out[index[id(c)]] = replace(c, elsewhere=_match(h, key))
    return out


def _search_sources(kind: str, units: list[SourceUnit], distinct: _Distinct, run, cache) -> list:
    """`search_source` over the units (a list of hits, or why a text cannot be read, for each);
    with a cache, what it knows each source text to hold: by the file (path, size and time of
    change) and its first page, the best place of each wording it was searched for (`kind`
    keeps the two searches apart), so that a text is searched again only for wordings it was
    not searched for."""
    if not units:
        return []
    if cache is None or cache.folder is None:
        return run(search_source, units, QueryIndex(distinct.queries), _size(units))
    wording = distinct.wordings()
    keys: list[str | None] = []
    known: list[tuple[frozenset, dict, tuple[int, ...]]] = []
    todo: dict[int, SourceUnit] = {}
    for n, unit in enumerate(units):
        asked = unit.queries if unit.queries is not None else tuple(range(len(wording)))
        state = file_state(unit.path) if unit.path is not None else None
        key = f"source-{kind}-" + digest(__version__, unit.path, repr(state), str(unit.first_page)) if state else None
        entry = cache.get(key) if key else None
        searched, hits = entry if isinstance(entry, tuple) and len(entry) == 2 else (frozenset(), {})
        keys.append(key)
        known.append((searched, hits, asked))
        missing = tuple(q for q in asked if wording[q] not in searched)
        if key is None:
            todo[n] = unit
        elif missing:
            todo[n] = replace(unit, queries=missing)
    found = dict(zip(todo, run(search_source, list(todo.values()), QueryIndex(distinct.queries), _size(todo.values()))
                         if todo else ()))
    out: list = []
    for n, (searched, hits, asked) in enumerate(known):
        got = found.get(n)
        if isinstance(got, str):  # cannot be read: said, and not kept
            out.append(got)
            continue
        now = {h.query: h for h in got} if got is not None else {}
        result = []
        for q in asked:
            if q in now:
                result.append(now[q])
            elif wording[q] in hits:
                result.append(replace(hits[wording[q]], query=q))
        if n in found and keys[n] is not None:
            cache.put(keys[n], (frozenset(wording[q] for q in asked), {wording[h.query]: h for h in result}))
        out.append(result)
    return out


def _cross(documents, run, cache=None) -> tuple[Passage, ...]:
    """2. every quotation against every manuscript: each distinct wording searched once in
    each manuscript; a wording's places are found once and shared by all its quotations."""
    distinct = _Distinct(MIN_CROSS_WORDS)
    quoting: list[list[tuple[str, int]]] = []  # per query: the quotations with its wording
    for doc in documents:
        for qi, q in enumerate(doc.quotations):
            qid = distinct.add(q.text)
            if qid is None:
                continue
            if qid == len(quoting):
                quoting.append([])
            quoting[qid].append((doc.path, qi))
    if not distinct.queries:
        return ()
    spans = [tuple((q.span.start, q.span.end) for q in doc.quotations) for doc in documents]
    known = _Known(cache, documents, spans, distinct)
    units = [ManuscriptUnit(doc.text, spans[di], known.wanted(di), known.needs_print(di)) for di, doc in enumerate(documents)]
    todo = [di for di, unit in enumerate(units) if unit.only != ()]
    searched = run(search_manuscript, [units[di] for di in todo], QueryIndex(distinct.queries),
                   sum(len(documents[di].text) for di in todo)) if todo else []
    results = known.merge(dict(zip(todo, searched)))
    places: list[list[Place]] = [[] for _ in quoting]
    for doc, found in zip(documents, results):
        where, line = doc.path, doc.lines.line
        for qid, hits in found:
            places[qid] += [Place(where, h[5], QuoteMatch(where, h[0], h[1], h[2], h[3], line(h[4]), None, h[6])) for h in hits]
    out = []
    for qid, quotations in enumerate(quoting):
        # a passage is worth keeping where some quotation of it stands somewhere but its own place
        if len(quotations) > 1 or any((p.path, p.quotation) != quotations[0] for p in places[qid]):
            out.append(Passage(tuple(quotations), tuple(places[qid])))
    return tuple(out)


class _Known:
    """What the cache knows each manuscript to hold: by the manuscript's text and quotations'
    places, the places of each wording looked for in it (a wording's places there depend on
    nothing else), and its shingle print (units.ShinglePrint). `wanted` says which of this
    run's wordings a manuscript must still be searched for (None: all, () none): a wording
    new to it, where its print says it may hold it; `merge` puts what was searched now
    together with what was known, and keeps it for the next run.

    A manuscript's entry holds the places it was found to have (few) and names the set of
    wordings it was searched for; that set is one entry of its own, shared by every
    manuscript searched in the same run, so the cache grows with the manuscripts and the
    wordings, not with their product."""

    def __init__(self, cache, documents, spans, distinct: _Distinct) -> None:
        self.on = cache is not None and cache.folder is not None
        self.cache = cache
        self.queries = distinct.queries
        self.keys: list[str] = []
        self.held: list[dict | None] = []  # wording -> places, for the wordings of the set named
        self.searched: list[frozenset | None] = []  # the wordings each manuscript was searched for
        self.prints: list[ShinglePrint | None] = []
        if not self.on:
            return
        self.wordings = distinct.wordings()
        self.set_key = "cross-set-" + digest(*sorted(self.wordings))
        sets: dict[str, frozenset | None] = {}
        for di, doc in enumerate(documents):
            self.keys.append("cross-" + digest(__version__, doc.text, repr(spans[di])))
            entry = cache.get(self.keys[-1])
            held = searched = printed = None
            if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[1], dict):
                set_key, printed = entry[0], entry[2]
                if set_key not in sets:
                    found = cache.get(set_key)
                    sets[set_key] = found if isinstance(found, frozenset) else None
                if sets[set_key] is not None:
                    searched, held = sets[set_key], entry[1]
            self.held.append(held)
            self.searched.append(searched)
            self.prints.append(printed if isinstance(printed, ShinglePrint) and printed.usable() else None)

    def wanted(self, di: int) -> tuple[int, ...] | None:
        if not self.on or self.searched[di] is None:
            return None
        searched = self.searched[di]
        new = [qid for qid, w in enumerate(self.wordings) if w not in searched]
        printed = self.prints[di]
        if new and printed is not None:
            new = [qid for qid, may in zip(new, printed.may_hold([self.queries[qid] for qid in new])) if may]
        return tuple(new)

    def needs_print(self, di: int) -> bool:
        return self.on and self.prints[di] is None

    def merge(self, searched: dict[int, tuple[list, ShinglePrint | None]]) -> list[list]:
        """Each manuscript's (query, places) in the order of the queries: searched now, or known."""
        if not self.on:
            return [searched[di][0] for di in sorted(searched)]
        if searched:
            # what the next run needs: this run's wordings (the others may come back, but an
            # old revision's wordings should not pile up)
            self.cache.put(self.set_key, frozenset(self.wordings))
        out = []
        for di, held in enumerate(self.held):
            now, printed = searched.get(di, ((), None))
            now = dict(now)
            found = [(qid, now[qid] if qid in now else (held or {}).get(w, ())) for qid, w in enumerate(self.wordings)]
            found = [(qid, hits) for qid, hits in found if hits]
            if di in searched:
                self.cache.put(self.keys[di], (self.set_key, {self.wordings[qid]: hits for qid, hits in found},
                                               printed or self.prints[di]))
            out.append(found)
        return out
