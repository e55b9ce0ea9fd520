"""Finding quotations in texts: index the quotations' word shingles, read each text once,
vote for the places where a quotation's shingles line up, and align only those places with
rapidfuzz, word by word.

The index is built over the quotations, not the texts, so that a thousand quotations are
looked up in a hundred megabytes of sources with one pass over the sources and a memory
that does not grow with them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from ..model import Difference
from .textnorm import quotation_pieces, spelling_key, words

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


@dataclass
class Text:
    """A text to search: a source's full text or a manuscript."""

    key: str
    words: list[str]  # compare forms
    starts: list[int]  # character offset of each word in the original
    ends: list[int]
    pages: list[int] | None = None  # page number of each word, where the text has pages


def make_text(key: str, text: str, first_page: int | None = None) -> Text:
    """Split a text into words; form feeds separate its pages, numbered from `first_page`."""
    ws: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pages: list[int] | None = [] if first_page is not None and "\f" in text else None
    pos = 0
    page = first_page or 1
    for chunk in text.split("\f"):
        tokens = words(chunk, pos)
        ws.extend([t[0] for t in tokens])
        starts.extend([t[1] for t in tokens])
        ends.extend([t[2] for t in tokens])
        if pages is not None:
            pages.extend([page] * len(tokens))
        pos += len(chunk) + 1
        page += 1
    return Text(key, ws, starts, ends, pages)


@dataclass
class Query:
    """A quotation to look for, cut into the pieces its ellipses leave."""

    ident: object
    pieces: list[list[str]]  # compare forms of each piece

    @property
    def length(self) -> int:
        return sum(len(p) for p in self.pieces)


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


class Searcher:
    """Queries indexed by shingle; texts are streamed through `scan`."""

    def __init__(self, queries: list[Query]) -> None:
        self.queries = queries
        self.index: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
        for qi, q in enumerate(queries):
            offset = 0
            for piece in q.pieces:
                for i in range(len(piece) - SHINGLE + 1):
                    self.index[tuple(piece[i : i + SHINGLE])].append((qi, offset + i))
                offset += len(piece)

    def votes(self, text: Text, only: set[int] | None = None) -> dict[int, list[tuple[int, int]]]:
        """For each query: (diagonal band, votes) of the places in `text` where its shingles line up."""
        index = self.index
        tally: dict[tuple[int, int], int] = defaultdict(int)
        ws = text.words
        for i, shingle in enumerate(zip(*(ws[k:] for k in range(SHINGLE)))):
            hits = index.get(shingle)
            if hits is None:
                continue
            for qi, qpos in hits:
                if only is None or qi in only:
                    tally[(qi, (i - qpos) // BAND)] += 1
        per_query: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (qi, band), n in tally.items():
            per_query[qi].append((band, n))
        # neighbouring bands share a place: add them up
        out: dict[int, list[tuple[int, int]]] = {}
        for qi, bands in per_query.items():
            counts = dict(bands)
            merged = {b: n + counts.get(b - 1, 0) + counts.get(b + 1, 0) for b, n in counts.items()}
            out[qi] = sorted(((b, n) for b, n in merged.items() if n >= MIN_VOTES), key=lambda bn: -bn[1])
        return out

    def search(self, text: Text, only: set[int] | None = None, exclude: dict[int, tuple[int, int]] | None = None,
               best_of: int = 3, every: float | None = None) -> list[Alignment]:
        """The best match of each query in `text`, aligned at its most voted places; with
        `every`, all the places that score at least that much, each once.

        `exclude` maps a query to a span of word indices it must not match (itself)."""
        found: list[Alignment] = []
        for qi, places in self.votes(text, only).items():
            kept: list[Alignment] = []
            tried = 0
            for band, n in places:
                if tried >= best_of or n * 3 < places[0][1]:
                    break
                tried += 1
                m = align(self.queries[qi], text, band * BAND, n)
                if m is None:
                    continue
                if exclude and qi in exclude:
                    lo, hi = exclude[qi]
                    if m.start < hi and lo < m.end:
                        continue
                if any(m.start < k.end and k.start < m.end for k in kept):
                    continue
                kept.append(m)
            if every is not None:
                found.extend(sorted((m for m in kept if m.score >= every), key=lambda m: m.start))
            elif kept:
                found.append(max(kept, key=lambda m: m.score))
        return found


def align(q: Query, text: Text, diagonal: int, votes: int) -> Alignment | None:
    """Align a query's pieces, in order, in a window of the text around a voted place."""
    ws = text.words
    margin = max(10, q.length // 3)
    lo = max(0, diagonal - margin)
    hi = min(len(ws), diagonal + q.length + margin + BAND)
    pos = lo
    spans: list[tuple[int, int]] = []
    diffs: list[Difference] = []
    matched = total = content = 0
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
        m, c, d = _compare(piece, region)
        matched += m
        content += c
        total += len(piece) + len(region)
        diffs.extend(d)
        pos = pos + b
    if not spans or total == 0:
        return None
    score = 100.0 * 2 * matched / total
    if score >= EXACT and not diffs:
        kind = "exact"
    elif score >= VARIANT:
        kind = "variant"
    elif score >= TRANSLATION and votes >= TRANSLATION_VOTES and q.length >= MIN_TRANSLATION_WORDS \
            and content >= TRANSLATION_SHARE * q.length:
        kind = "translation"
    else:
        return None
    start, end = spans[0][0], spans[-1][1]
    page = last_page = None
    if text.pages is not None and end > start:
        page, last_page = text.pages[start], text.pages[end - 1]
    return Alignment(q.ident, text.key, round(score, 1), kind, start, end, votes, tuple(diffs), page, last_page)


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
    keys_p = [spelling_key(w) for w in piece]
    keys_r = [spelling_key(w) for w in region]
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
    keys_p = [spelling_key(w) for w in piece]
    keys_r = [spelling_key(w) for w in region]
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
