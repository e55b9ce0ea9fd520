"""Quotation matching at scale: 1,000 quotations of 30-60 words, each with small edits,
looked up in 200 source texts of 500 KB, generated reproducibly from a fixed seed.

The indexed path is citeaudit's (shingle index over the quotations, one pass over each
source, alignment of voted places only). The naive path is rapidfuzz's partial_ratio of
every quotation against every source; it is timed on a sample of the quotations and
projected to all of them, the cost of a pair being the same for every pair.

    python benchmarks/quotes.py [--quotes 1000] [--sources 200] [--size 500000] [--naive-sample 25]
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from rapidfuzz import fuzz  # noqa: E402

from citeaudit.quotes.engine import Searcher, make_query, make_text  # noqa: E402

SEED = 20261121
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def vocabulary(rng: random.Random, n: int = 20000) -> tuple[list[str], list[float]]:
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 10))))
    vocab = sorted(words)
    rng.shuffle(vocab)
    weights = [1.0 / (rank + 1) for rank in range(n)]  # Zipf: a few words are very common
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    return vocab, cum


def source_words(i: int, size: int, vocab: list[str], cum: list[float]) -> list[str]:
    rng = random.Random(SEED * 1000 + i)
    n = size // 6  # about six characters a word with its space
    return rng.choices(vocab, cum_weights=cum, k=n)


def as_text(words: list[str]) -> str:
    """Sentences of 8-20 words, capitalised, with full stops and commas."""
    rng = random.Random(len(words))
    out = []
    i = 0
    while i < len(words):
        k = rng.randint(8, 20)
        sentence = words[i : i + k]
        if sentence:
            sentence[0] = sentence[0].capitalize()
            if len(sentence) > 6:
                sentence[3] += ","
            out.append(" ".join(sentence) + ".")
        i += k
    return " ".join(out)


def make_quotes(n: int, n_sources: int, size: int, vocab, cum) -> list[tuple[int, int, str]]:
    """(source, first word, quotation text) with 1-3 small edits each."""
    rng = random.Random(SEED)
    plan = sorted((rng.randrange(n_sources), rng.random(), rng.randint(30, 60)) for _ in range(n))
    quotes = []
    cache: dict[int, list[str]] = {}
    for s, where, length in plan:
        if s not in cache:
            cache.clear()
            cache[s] = as_text(source_words(s, size, vocab, cum)).split()
        words = cache[s]
        start = int(where * (len(words) - length))
        q = [w.strip(".,").lower() for w in words[start : start + length]]
        for _ in range(rng.randint(1, 3)):
            op = rng.choice(("sub", "del", "ins", "case"))
            j = rng.randrange(len(q))
            if op == "sub":
                q[j] = rng.choice(vocab)
            elif op == "del" and len(q) > 30:
                del q[j]
            elif op == "ins":
                q.insert(j, rng.choice(vocab))
            else:
                q[j] = q[j].upper()
        quotes.append((s, start, " ".join(q)))
    return quotes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quotes", type=int, default=1000)
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--size", type=int, default=500_000)
    ap.add_argument("--naive-sample", type=int, default=25)
    args = ap.parse_args()

    rng = random.Random(SEED)
    vocab, cum = vocabulary(rng)
    t = time.perf_counter()
    quotes = make_quotes(args.quotes, args.sources, args.size, vocab, cum)
    print(f"generated {len(quotes)} quotations in {time.perf_counter() - t:.1f} s", flush=True)

    # indexed path: build the index once, then one pass over each source
    t_index = time.perf_counter()
    searcher = Searcher([make_query(i, q) for i, (_s, _w, q) in enumerate(quotes)])
    indexed_time = time.perf_counter() - t_index
    found: dict[int, tuple[int, float, int]] = {}
    gen_time = 0.0
    for s in range(args.sources):
        g = time.perf_counter()
        text = as_text(source_words(s, args.size, vocab, cum))
        gen_time += time.perf_counter() - g
        t = time.perf_counter()
        words = make_text(str(s), text)
        for m in searcher.search(words):
            prev = found.get(m.query)
            if prev is None or m.score > prev[1]:
                found[m.query] = (s, m.score, m.start)
        indexed_time += time.perf_counter() - t
    correct = sum(1 for i, (s, start, _q) in enumerate(quotes) if i in found and found[i][0] == s and abs(found[i][2] - start) <= 3)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"indexed: {indexed_time:.1f} s for {len(quotes)} quotations in {args.sources} sources "
          f"({args.sources * args.size / 1e6:.0f} MB); found {len(found)}, at the right place {correct}; "
          f"peak memory {rss_mb:.0f} MB", flush=True)

    # naive path on a sample, projected
    sample = list(range(0, len(quotes), max(1, len(quotes) // args.naive_sample)))[: args.naive_sample]
    naive_found: dict[int, tuple[int, float]] = {}
    naive_time = 0.0
    for s in range(args.sources):
        text = as_text(source_words(s, args.size, vocab, cum)).lower()
        t = time.perf_counter()
        for i in sample:
            score = fuzz.partial_ratio(quotes[i][2].lower(), text)
            prev = naive_found.get(i)
            if score >= 80 and (prev is None or score > prev[1]):
                naive_found[i] = (s, score)
        naive_time += time.perf_counter() - t
    projected = naive_time * len(quotes) / len(sample)
    agree = sum(1 for i in sample if i in naive_found and i in found and naive_found[i][0] == found[i][0])
    naive_right = sum(1 for i in sample if i in naive_found and naive_found[i][0] == quotes[i][0])
    print(f"naive: {naive_time:.1f} s for {len(sample)} quotations; projected {projected:.0f} s for {len(quotes)}; "
          f"found {len(naive_found)}/{len(sample)} (in the right source {naive_right}), same source as indexed: {agree}")
    print(f"speed-up: {projected / indexed_time:.0f}x")
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}; "
          f"source generation ({gen_time:.1f} s) not counted")


if __name__ == "__main__":
    main()
