"""Finding quotations in texts: index the quotations' word shingles, read each text once,
vote for the places where a quotation's shingles line up, and align only those places with
rapidfuzz, word by word.

The index is built over the quotations, not the texts, so that a thousand quotations are
looked up in a hundred megabytes of sources with one pass over the sources and a memory
that does not grow with them. Identical quotations are one query (a thousand manuscripts
that quote one passage look for it once), words are integer ids and shingles tuples of
them, and a text is cut into words by one regular-expression split: the compare forms,
offsets and pages of its words are worked out only for the windows that are aligned.

A `QueryIndex` is plain data: it is what a pool's workers are sent once (`Executor.map(fn,
texts, shared=index)`); each process keeps its own caches beside it (word ids, alignments
of windows already aligned), which never change a result.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate, compress

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from ..model import Difference
from .textnorm import FORMS, quotation_pieces, spelling_key, split_words, words

SHINGLE = 3  # words per shingle
BAND = 8  # words of slack on a diagonal, for insertions and deletions
MIN_VOTES = 2  # shingles that must line up before a place is aligned
ELISION = 200  # words an ellipsis may leave out
EXACT = 97.0
VARIANT = 85.0  # at or above: the same wording with small differences
TRANSLATION = 40.0  # at or above, with enough shared shingles: the passage in other words
TRANSLATION_VOTES = 3
#: Share of a quotation's length that its content words found in the passage must reach for
#: a loose match to be a translation: a low score alone never makes one ("it was the … of
#: the" matches anywhere).
TRANSLATION_SHARE = 0.15
MIN_TRANSLATION_WORDS = 12  # shorter quotations must match closely: common phrases recur everywhere
#: Alignments of windows kept per process and index, for texts that share passages (copies,
#: versions of one manuscript); past this many the cache starts again.
MEMO_LIMIT = 50_000


class Text:
    """A text to search: a source's full text or a manuscript, cut into words once.

    `raws` are the words as written; `words` (compare forms), `starts`, `ends` and `pages`
    are worked out when first asked for; `forms(lo, hi)` and `offsets(...)` give them for a
    window only."""

    def __init__(self, key: str, text: str, first_page: int | None = None) -> None:
        self.key = key
        self.text = text
        self.first_page = first_page
        self.parts = split_words(text)  # separator, word, separator, ..., word, separator
        self.raws = self.parts[1::2]
        self.has_pages = first_page is not None and "\f" in text
        self._forms: list[str] | None = None
        self._bounds: list[int] | None = None

    def __len__(self) -> int:
        return len(self.raws)

    def forms(self, lo: int, hi: int) -> list[str]:
        """Compare forms of words lo to hi."""
        if self._forms is not None:
            return self._forms[lo:hi]
        return list(map(FORMS.__getitem__, self.raws[lo:hi]))

    @property
    def words(self) -> list[str]:
        if self._forms is None:
            self._forms = list(map(FORMS.__getitem__, self.raws))
        return self._forms

    def _all_bounds(self) -> list[int]:
        if self._bounds is None:
            self._bounds = list(accumulate(map(len, self.parts)))
        return self._bounds

    @property
    def starts(self) -> list[int]:
        """Character offset of each word in the original."""
        return self._all_bounds()[0 : 2 * len(self.raws) : 2]

    @property
    def ends(self) -> list[int]:
        return self._all_bounds()[1::2]

    @property
    def pages(self) -> list[int] | None:
        """Page of each word, where the text has pages (form feeds and a first page)."""
        if not self.has_pages:
            return None
        feeds = [i for i, ch in enumerate(self.text) if ch == "\f"]
        return [self.first_page + bisect_left(feeds, s) for s in self.starts]

    def offsets(self, wanted: list[tuple[int, bool]]) -> dict[tuple[int, bool], int]:
        """(word index, end?) -> character offset of its start or end, for a few words:
        summed from the lengths before them in one sweep, not for every word of the text.
        A negative index counts from the end, as in a list."""
        n = len(self.raws)
        if self._bounds is not None:
            b = self._bounds
            return {(k, end): b[2 * (k % n if k < 0 else k) + end] for k, end in wanted}
        out = {}
        pos = total = 0
        parts = self.parts
        empty = parts[0][:0]  # "" or b""
        for k, end in sorted(set(wanted), key=lambda ke: (ke[0] % n if ke[0] < 0 else ke[0], ke[1])):
            stop = 2 * (k % n if k < 0 else k) + 1 + end  # parts before the boundary
            total += len(empty.join(parts[pos:stop]))
            pos = stop
            out[(k, end)] = total
        return out

    def page_at(self, offset: int) -> int:
        return self.first_page + self.text.count("\f", 0, offset)


def make_text(key: str, text: str, first_page: int | None = None) -> Text:
    """Split a text into words; form feeds separate its pages, numbered from `first_page`."""
    return Text(key, text, first_page)


@dataclass
class Query:
    """A quotation to look for, cut into the pieces its ellipses leave."""

    ident: object
    pieces: list[list[str]]  # compare forms of each piece

    @property
    def length(self) -> int:
        return sum(len(p) for p in self.pieces)

    @property
    def key(self) -> tuple[tuple[str, ...], ...]:
        """What the search depends on: two quotations with the same key find the same places."""
        return tuple(tuple(p) for p in self.pieces)


def make_query(ident: object, text: str) -> Query:
    return Query(ident, [[w for w, _s, _e in words(p)] for p in quotation_pieces(text)])


@dataclass(frozen=True, slots=True)
class Alignment:
    """Where in a text a quotation aligned, in word indices, how well, and how it differs."""

    query: object
    text: str  # Text.key
    score: float  # 0-100
    kind: str  # exact | variant | translation
    start: int  # word index in the text
    end: int  # word index just past the match
    votes: int
    differences: tuple[Difference, ...] = ()
    page: int | None = None
    last_page: int | None = None


class _Ids(dict):
    """Word as written -> id of its compare form among the queries' words, -1 for any other."""

    def __init__(self, vocab: dict[str, int]) -> None:
        super().__init__()
        self.vocab = vocab

    def __missing__(self, raw: str) -> int:
        if len(self) >= 1 << 20:
            self.clear()
        i = self[raw] = self.vocab.get(FORMS[raw], -1)
        return i


class QueryIndex:
    """Distinct queries, indexed by shingle: a tuple of SHINGLE word ids -> (query, offset)
    of each place a query has it. Plain data, pickled once per worker; the caches beside it
    are per process and are not sent."""

    def __init__(self, queries: list[Query]) -> None:
        self.queries = queries
        vocab: dict[str, int] = {}
        shingles: dict[tuple[int, ...], list[tuple[int, int]]] = {}
        for qid, q in enumerate(queries):
            offset = 0
            for piece in q.pieces:
                ids = [vocab.setdefault(w, len(vocab)) for w in piece]
                for i in range(len(ids) - SHINGLE + 1):
                    key = tuple(ids[i : i + SHINGLE])
                    hits = shingles.get(key)
                    if hits is None:
                        shingles[key] = [(qid, offset + i)]
                    else:
                        hits.append((qid, offset + i))
                offset += len(piece)
        self.vocab = vocab
        self.shingles = shingles
        self._ids: _Ids | None = None
        self._memo: dict | None = None
        self._only: tuple[frozenset[int], dict] | None = None

    def __getstate__(self) -> dict:
        return {"queries": self.queries, "vocab": self.vocab, "shingles": self.shingles}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._ids = None
        self._memo = None
        self._only = None

    def __len__(self) -> int:
        return len(self.queries)

    def ids(self, text: Text) -> list[int]:
        if self._ids is None:
            self._ids = _Ids(self.vocab)
        return list(map(self._ids.__getitem__, text.raws))

    def _shingles_of(self, only: set[int] | frozenset[int]) -> dict[tuple[int, ...], list[tuple[int, int]]]:
        """The shingles of some queries only (a text searched again for a few new wordings
        meets few of them), kept for the next text asked about the same queries."""
        key = frozenset(only)
        if self._only is None or self._only[0] != key:
            some: dict[tuple[int, ...], list[tuple[int, int]]] = {}
            for shingle, places in self.shingles.items():
                kept = [p for p in places if p[0] in key]
                if kept:
                    some[shingle] = kept
            self._only = (key, some)
        return self._only[1]

    def votes(self, text: Text, only: set[int] | frozenset[int] | None = None) -> tuple[dict[int, list[tuple[int, int]]], dict[int, int]]:
        """For each query: (diagonal band, votes) of the places in `text` where its shingles
        line up, most voted first; and the word where each query's first shingle was met.
        Queries come in the order of their first shingle in the text."""
        ids = self.ids(text)
        shingles = self.shingles if only is None else self._shingles_of(only)
        hits = list(map(shingles.get, zip(*(ids[k:] for k in range(SHINGLE)))))
        # tally by (band, query) as one integer, band * m + query, in the order first met
        m = len(self.queries) or 1
        tally: dict[int, int] = {}
        first: dict[int, int] = {}
        for i, found in compress(enumerate(hits), hits):
            for qid, qpos in found:
                if only is not None and qid not in only:
                    continue
                key = (i - qpos) // BAND * m + qid
                n = tally.get(key)
                if n is None:
                    tally[key] = 1
                    if qid not in first:
                        first[qid] = i
                else:
                    tally[key] = n + 1
        per_query: dict[int, dict[int, int]] = {qid: {} for qid in first}
        for key, n in tally.items():
            band, qid = divmod(key, m)
            per_query[qid][band] = n
        # neighbouring bands share a place: add them up
        out: dict[int, list[tuple[int, int]]] = {}
        for qid, counts in per_query.items():
            if len(counts) == 1:  # the usual case of a query met by chance: one band
                ((b, n),) = counts.items()
                out[qid] = [(b, n)] if n >= MIN_VOTES else []
                continue
            merged = {b: n + counts.get(b - 1, 0) + counts.get(b + 1, 0) for b, n in counts.items()}
            out[qid] = sorted(((b, n) for b, n in merged.items() if n >= MIN_VOTES), key=lambda bn: -bn[1])
        return out, first

    def candidates(self, qid: int, places: list[tuple[int, int]], text: Text, best_of: int) -> list[Alignment | None]:
        """The alignments at a query's most voted places (None where it does not align)."""
        out: list[Alignment | None] = []
        for band, n in places:
            if len(out) >= best_of or n * 3 < places[0][1]:
                break
            out.append(self.align(qid, text, band * BAND, n))
        return out

    def align(self, qid: int, text: Text, diagonal: int, votes: int) -> Alignment | None:
        """align() of query qid, remembered by the words of its window: a text that shares a
        passage with one already searched (a copy, a version) is not aligned again."""
        q = self.queries[qid]
        lo, hi, top = _window(q, len(text), diagonal)
        window = text.forms(lo, top)
        if self._memo is None or len(self._memo) >= MEMO_LIMIT:
            self._memo = {}
        key = (qid, hi - lo, votes >= TRANSLATION_VOTES, tuple(window))
        found = self._memo.get(key, key)
        if found is key:
            found = self._memo[key] = _align_window(q, window, hi - lo, votes)
        if found is None:
            return None
        score, kind, start, end, diffs = found
        return Alignment(q.ident, text.key, score, kind, lo + start, lo + end, votes, diffs)

    def search(self, text: Text, only=None, exclude: dict[int, tuple[int, int]] | None = None, best_of: int = 3,
               every: float | None = None) -> tuple[dict[int, list[Alignment]], dict[int, int]]:
        """Query -> its best match in `text`, aligned at its most voted places; with `every`,
        all the places that score at least that much, each once, in text order. `exclude`
        maps a query to a span of word indices it must not match (itself). With the word of
        each query's first shingle, which orders them."""
        votes, first = self.votes(text, only)
        found: dict[int, list[Alignment]] = {}
        for qid, places in votes.items():
            if not places:
                continue
            kept = keep(self.candidates(qid, places, text, best_of), exclude.get(qid) if exclude else None, every)
            if kept:
                found[qid] = kept
        return found, first


def keep(candidates: list[Alignment | None], exclude: tuple[int, int] | None, every: float | None) -> list[Alignment]:
    """The candidates a search keeps: not inside `exclude`, not overlapping a better voted
    one; with `every` all of them that score that much, in text order, else the best."""
    kept: list[Alignment] = []
    for m in candidates:
        if m is None:
            continue
        if exclude is not None and m.start < exclude[1] and exclude[0] < m.end:
            continue
        if any(m.start < k.end and k.start < m.end for k in kept):
            continue
        kept.append(m)
    if every is not None:
        return sorted((m for m in kept if m.score >= every), key=lambda m: m.start)
    return [max(kept, key=lambda m: m.score)] if kept else []


def _window(q: Query, n: int, diagonal: int) -> tuple[int, int, int]:
    """The words around a voted place that an alignment may look at: [lo, hi) for the first
    piece, [lo, top) for all of them (a piece after an ellipsis may come ELISION words on)."""
    margin = max(10, q.length // 3)
    lo = max(0, diagonal - margin)
    hi = min(n, diagonal + q.length + margin + BAND)
    top = min(n, hi + sum(len(p) + ELISION for p in q.pieces[1:]))
    return lo, hi, top


def _align_window(q: Query, ws: list[str], hi: int, votes: int) -> tuple[float, str, int, int, tuple[Difference, ...]] | None:
    """Align a query's pieces, in order, in the words `ws` of a window whose first piece
    must lie in ws[:hi]: (score, kind, start, end, differences), word indices into `ws`.

    The score needs only the number of words in common (an Indel distance); the differences
    word by word are worked out only for a window that scores enough to be reported."""
    pos = 0
    spans: list[tuple[int, int]] = []
    pairs: list[tuple[list[str], list[str]]] = []
    matched = total = 0
    same = True
    spell = _SPELLING.__getitem__
    for n, piece in enumerate(q.pieces):
        if not piece:
            continue
        if n > 0:  # after an ellipsis the next piece may come up to ELISION words later
            hi = min(len(ws), pos + len(piece) + ELISION)
        window = ws[pos:hi]
        if not window:
            return None
        a, b = _locate(piece, window)
        region = window[a:b]
        spans.append((pos + a, pos + b))
        keys_p, keys_r = list(map(spell, piece)), list(map(spell, region))
        if keys_p == keys_r:
            matched += len(piece)
        else:
            same = False
            matched += (len(keys_p) + len(keys_r) - Indel.distance(keys_p, keys_r)) // 2
        total += len(piece) + len(region)
        pairs.append((piece, region))
        pos = pos + b
    if not spans or total == 0:
        return None
    score = 100.0 * 2 * matched / total
    if same:  # no word differs: nothing to show
        return round(score, 1), "exact", spans[0][0], spans[-1][1], ()
    could_translate = score >= TRANSLATION and votes >= TRANSLATION_VOTES and q.length >= MIN_TRANSLATION_WORDS
    if score < VARIANT and not could_translate:
        return None
    diffs: list[Difference] = []
    content = 0
    for piece, region in pairs:
        _m, c, d = _compare(piece, region)
        content += c
        diffs.extend(d)
    if score >= VARIANT:
        kind = "variant"
    elif content >= TRANSLATION_SHARE * q.length:
        kind = "translation"
    else:
        return None
    return round(score, 1), kind, spans[0][0], spans[-1][1], tuple(diffs)


def _locate(piece: list[str], window: list[str]) -> tuple[int, int]:
    """Word span of `window` that best matches `piece`: rapidfuzz's partial alignment for
    short pieces, a word-level alignment of the whole window for long ones (partial
    alignment grows with the cube of the length)."""
    a_text = " ".join(piece)
    b_text = " ".join(window)
    if len(a_text) >= len(b_text) or len(a_text) > 300:
        return _trim(piece, window, 0, len(window))
    al = fuzz.partial_ratio_alignment(a_text, b_text)
    # character offsets back to word indices
    starts = []
    pos = 0
    for w in window:
        starts.append(pos)
        pos += len(w) + 1
    first = max(0, _word_at(starts, al.dest_start))
    last = _word_at(starts, max(al.dest_start, al.dest_end - 1)) + 1
    # widen by a few words on each side and let the word alignment trim
    slack = 3 + len(piece) // 8
    first = max(0, first - slack)
    last = min(len(window), last + slack)
    a, b = _trim(piece, window, first, last)
    return a, b


def _word_at(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _trim(piece: list[str], window: list[str], first: int, last: int) -> tuple[int, int]:
    """Drop unmatched words at the edges of the region."""
    region = window[first:last]
    keys_p = list(map(_SPELLING.__getitem__, piece))
    keys_r = list(map(_SPELLING.__getitem__, region))
    ops = [op for op in Indel.opcodes(keys_p, keys_r)]
    equal = [i for i, op in enumerate(ops) if op.tag == "equal"]
    if not equal:
        return first, last
    lo, hi = equal[0], equal[-1]
    # a few words matched far from the rest are strays: "with Derrida: Derrida has ...",
    # a "the" at the window's edge
    while lo < hi and _stray(ops[lo], ops[lo + 1], keys_r, head=True):
        lo = next(i for i in equal if i > lo)
    while hi > lo and _stray(ops[hi], ops[hi - 1], keys_r, head=False):
        hi = max(i for i in equal if i < hi)
    start, end = ops[lo].dest_start, ops[hi].dest_end
    src_start, src_end = ops[lo].src_start, ops[hi].src_end
    while src_start > 0 and start > 0 and keys_p[src_start - 1] == keys_r[start - 1]:  # take back what the stray held
        src_start -= 1
        start -= 1
    while src_end < len(keys_p) and end < len(keys_r) and keys_p[src_end] == keys_r[end]:
        src_end += 1
        end += 1
    # quoted words left over at either edge face the source words beside the region:
    # "the bourgeolsie, historically" starts two words before "historically"
    lead = min(src_start, first + start)
    tail = min(len(keys_p) - src_end, len(window) - (first + end))
    return first + start - lead, first + end + tail


def _stray(run, gap, region: list[str], head: bool) -> bool:
    """An equal run of at most two words cut off from the rest by more extra words than it
    has, or by words that repeat it ("Derrida: Derrida has")."""
    size = run.src_end - run.src_start
    if size > 2 or gap.tag != "insert":
        return False
    extra = gap.dest_end - gap.dest_start
    if extra > size:
        return True
    words_run = region[run.dest_start : run.dest_end]
    repeat = region[gap.dest_end - size : gap.dest_end] if head else region[gap.dest_start : gap.dest_start + size]
    return words_run == repeat


class _Spelling(dict):
    """Compare form -> spelling_key, as a dict that map() runs through without a call per word."""

    def __missing__(self, word: str) -> str:
        if len(self) >= 1 << 20:
            self.clear()
        key = self[word] = spelling_key(word)
        return key


_SPELLING = _Spelling()


#: Words too common to show that two passages say the same thing.
_FUNCTION_WORDS = frozenset(
    """the a an and or but of to in on at by for from with as is are was were be been it its this that these
    those he she they we you i his her their our my not no so if then than there which who what when all
    some such had has have do did will would can could may might must shall should one""".split()
)


def _content(words: list[str]) -> int:
    return sum(1 for w in words if len(w) > 2 and w not in _FUNCTION_WORDS)


def _compare(piece: list[str], region: list[str]) -> tuple[int, int, list[Difference]]:
    """Words in common, content words (not "the", "it was") in common, and the differences
    as quoted / source word runs."""
    keys_p = list(map(_SPELLING.__getitem__, piece))
    keys_r = list(map(_SPELLING.__getitem__, region))
    matched = content = 0
    diffs: list[Difference] = []
    pending: list = []  # a run of deletions and insertions between two equal stretches

    def flush() -> None:
        if pending:
            diffs.append(Difference(
                " ".join(piece[pending[0].src_start : pending[-1].src_end]),
                " ".join(region[pending[0].dest_start : pending[-1].dest_end]),
            ))
            pending.clear()

    for op in Indel.opcodes(keys_p, keys_r):
        if op.tag == "equal":
            flush()
            matched += op.src_end - op.src_start
            content += _content(keys_p[op.src_start : op.src_end])
        else:
            pending.append(op)
    flush()
    return matched, content, diffs


def describe(differences: tuple[Difference, ...], limit: int = 6) -> str:
    """ "‘criticise’ → ‘criticize’; ‘new’ → ‘fresh’ …" for messages."""
    parts = []
    for d in differences[:limit]:
        quoted = f"‘{d.quoted}’" if d.quoted else "(nothing)"
        source = f"‘{d.source}’" if d.source else "(nothing)"
        parts.append(f"{quoted} for {source}")
    more = f" and {len(differences) - limit} more" if len(differences) > limit else ""
    return "; ".join(parts) + more
