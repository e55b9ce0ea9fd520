"""The units of work of quotation checking: one source text searched for the quotations that
cite it, one manuscript searched for every quotation of every manuscript. Each is a
module-level function `fn(unit, index)` for `parallel.Executor.map(fn, units, shared=index)`:
the query index (engine.QueryIndex) goes to each worker once, a unit is small (a path, or a
manuscript's text), and what comes back is small too (the places found, as plain data; for
the cache, a manuscript's shingle print), so that the units may run in this process, in a
pool or on a cluster with the same result.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from dataclasses import dataclass
from itertools import chain

from ..model import Difference
from .engine import SHINGLE, VARIANT, Alignment, Query, QueryIndex, Text, keep

#: The largest source text read; a bigger one is reported, not read.
MAX_SOURCE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceUnit:
    """A source text to search: read from `path` (in the worker), or given as `text`."""

    key: str  # the entry
    path: str | None
    first_page: int | None = None  # pages are the text's form-feed-separated pages, from this one
    queries: tuple[int, ...] | None = None  # the queries of the index to look for; None: all
    text: str | None = None


@dataclass(frozen=True, slots=True)
class SourceHit:
    """A query's best match in a source text."""

    query: int
    score: float
    kind: str
    start: int  # word indices
    end: int
    page: int | None
    last_page: int | None
    line: int  # lines of the source text the match spans
    end_line: int
    differences: tuple[Difference, ...]


def read_source(path: str) -> str:
    """A source text's content (undecodable bytes replaced); OSError if it cannot be read."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_SOURCE_BYTES + 1)
    return data.decode("utf-8", errors="replace")


def search_source(unit: SourceUnit, index: QueryIndex) -> list[SourceHit] | str:
    """The best match of each query of the unit in its source text, in the order of the
    queries' first shingle in it; or, as a string, why the text cannot be read."""
    if unit.text is not None:
        raw = unit.text
    else:
        try:
            raw = read_source(unit.path)
        except OSError as exc:
            return f"cannot be read: {exc.strerror or exc}"
    text = Text(unit.key, raw, unit.first_page)
    found, _first = index.search(text, only=frozenset(unit.queries) if unit.queries is not None else None, best_of=3)
    best = [kept[0] for kept in found.values()]
    at = text.offsets([(a.start, False) for a in best] + [(a.end - 1, True) for a in best])
    out = []
    for a in best:
        start, end = at[(a.start, False)], at[(a.end - 1, True)]
        page = last_page = None
        if text.has_pages and a.end > a.start:
            page, last_page = text.page_at(start), text.page_at(at[(a.end - 1, True)] - 1)
        out.append(SourceHit(a.query, a.score, a.kind, a.start, a.end, page, last_page,
                             raw.count("\n", 0, start) + 1, raw.count("\n", 0, end) + 1, a.differences))
    return out


@dataclass(frozen=True, slots=True)
class ManuscriptUnit:
    """A manuscript to search for every query of the index."""

    text: str
    spans: tuple[tuple[int, int], ...]  # (start, end) of each of its quotations
    only: tuple[int, ...] | None = None  # the queries of the index to look for; None: all
    printed: bool = False  # also its shingle print (ShinglePrint), for the next run's cache


#: (score, kind, page, last page, character offset, the manuscript's quotation that holds it or
#: None, differences): a place of the manuscript where a query is.
CrossHit = tuple[float, str, "int | None", "int | None", int, "int | None", tuple[Difference, ...]]


def search_manuscript(unit: ManuscriptUnit, index: QueryIndex) -> tuple[list[tuple[int, list[CrossHit]]], ShinglePrint | None]:
    """Every place of the manuscript where a query is at least a variant (VARIANT), as
    (query, places), the queries in the order of the index; and, where the unit asks for it,
    the manuscript's shingle print. A quotation of this manuscript finds itself too, at its
    own place: the place says which quotation holds it."""
    text = Text("", unit.text)
    if unit.only is None:
        text.words  # noqa: B018 - a manuscript is short and its places many: every compare form at once
    # (searched again for a few new wordings only, its words' forms and offsets are worked
    # out for the windows aligned, as a source text's are)
    printed = ShinglePrint.of(text.words) if unit.printed else None
    votes, _first = index.votes(text, only=frozenset(unit.only) if unit.only is not None else None)
    spans = unit.spans
    found = []
    for qid in sorted(votes):
        places = votes[qid]
        if not places:
            continue
        candidates = index.candidates(qid, places, text, best_of=5)
        if any(candidates):
            found.append((qid, keep(candidates, None, VARIANT)))
    if not found:
        return [], printed
    if unit.only is None:
        text.starts  # noqa: B018 - every offset at once, for the many places
    at = text.offsets([(a.start, False) for _q, kept in found for a in kept]
                      + [(a.end - 1, True) for _q, kept in found for a in kept])
    out = []
    for qid, kept in found:
        hits = _hits(kept, text, at, spans)
        if hits:
            out.append((qid, hits))
    return out, printed


class _Crc(dict):
    """Compare form -> its CRC-32, worked out once per process."""

    def __missing__(self, form: str) -> int:
        if len(self) >= 1 << 20:
            self.clear()
        crc = self[form] = zlib.crc32(form.encode("utf-8", "surrogatepass"))
        return crc


_CRC = _Crc()
_PYTHON = (*sys.version_info[:2], sys.hash_info.width, array("I").itemsize)


def _shingle_hashes(forms: list[str]) -> set[int]:
    """A 32-bit hash of each SHINGLE consecutive compare forms: their CRC-32s' tuple hashed
    (the hash of a tuple of ints is the same in every process, unlike a string's)."""
    crcs = list(map(_CRC.__getitem__, forms))
    return {h & 0xFFFFFFFF for h in map(hash, zip(*(crcs[k:] for k in range(SHINGLE))))}


@dataclass(frozen=True, slots=True)
class ShinglePrint:
    """What shingles a manuscript has, kept from one run to the next so that a wording
    quoted for the first time is looked for only in the manuscripts that have one of its
    shingles: a place needs two shingles of the wording to line up there before it is
    aligned (engine.MIN_VOTES), so a manuscript with none of them holds none. Hashes can
    collide: a manuscript is then searched for nothing, never left out wrongly."""

    hashes: bytes  # array("I") of the distinct shingle hashes, in no order (4 bytes a shingle)
    made_by: tuple[int, ...] = ()  # the Python whose tuple hash made them

    @classmethod
    def of(cls, forms: list[str]) -> ShinglePrint:
        return cls(array("I", list(_shingle_hashes(forms))).tobytes(), _PYTHON)

    def usable(self) -> bool:
        return self.made_by == _PYTHON

    def may_hold(self, queries: list[Query]) -> list[bool]:
        """For each query: whether this manuscript has one of its shingles."""
        have = array("I")
        have.frombytes(self.hashes)
        have = set(have)  # (a look-up in the array itself boxes every element it passes)
        return [not have.isdisjoint(chain.from_iterable(map(_shingle_hashes, q.pieces))) for q in queries]


def _hits(kept: list[Alignment], text: Text, at: dict[tuple[int, bool], int], spans) -> list[CrossHit]:
    """The places of a query's alignments; `at`: (word index, end?) -> character offset."""
    out = []
    for a in kept:
        start, end = at[(a.start, False)], at[(a.end - 1, True)]
        # the quotation that holds the place: the narrowest that overlaps it (a note's quotation
        # inside a block quotation that runs round the note is the note's)
        other = min(((e - s, j) for j, (s, e) in enumerate(spans) if s < end and start < e), default=(0, None))[1]
        page = last_page = None
        if text.has_pages and a.end > a.start:
            page, last_page = text.page_at(start), text.page_at(end - 1)
        out.append((a.score, a.kind, page, last_page, start, other, a.differences))
    return out


from ..frozen import quick_pickling  # noqa: E402 - applied to the classes above

quick_pickling(__name__)
