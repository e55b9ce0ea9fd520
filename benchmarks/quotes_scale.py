"""Quotation checking across many manuscripts: `check_quotations` alone (no extraction, no
rules), on N manuscripts made from copies of the seeds, at several N, to see whether the
cost per manuscript stays flat.

Copy i of the seeds is seeds[i % 4] with three paragraphs dropped, two swapped and two
quotations misquoted (one word replaced, in one of three ways), seeded by i so that every run
makes the same manuscripts: most of its quotations are the same as its sister copies', a few
are gone or misquoted as some other copies misquote them. The copies cite bib/seeds.bib,
whose entry marx1852brumaire has its full text in bib/sources/, so every copy of seed 003
has its quotations looked up in a 270 KB source and, where not found, in every other source
text at hand.

    python benchmarks/quotes_scale.py [--n 50 200] [--jobs 1] [--repeat 1] [--grow 0]

Reading and extracting the manuscripts and resolving their citations is done first and not
counted. For each N: wall time, CPU time (this process and its workers), CPU per manuscript
and its ratio to the smallest N, the number of cross-manuscript matches found, and the peak
memory (the process's peak resident size, and what check_quotations added to it).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from citeaudit import known_names, load_bibliography, read_document  # noqa: E402
from citeaudit.model import Resolutions  # noqa: E402
from citeaudit.quotes import check_quotations  # noqa: E402
from citeaudit.resolve import Index, resolve_document  # noqa: E402

SEED = 20261123
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
BIB = ROOT / "bib" / "seeds.bib"


def blocks(path: Path) -> tuple[list[str], list[tuple[int, int]], list[tuple[int, int]]]:
    """A seed's lines, its paragraphs as line ranges (each with the lines after it, up to
    the next), and its quotations' character spans."""
    doc = read_document(path)
    lines = doc.text.split("\n")
    firsts = sorted({first for first, _last in doc.paragraphs})
    ranges = [(0, firsts[0] - 1)] if firsts and firsts[0] > 1 else []
    ranges += [(a - 1, (firsts[k + 1] - 1) if k + 1 < len(firsts) else len(lines)) for k, a in enumerate(firsts)]
    return lines, ranges, [(q.span.start, q.span.end) for q in doc.quotations]


_SEEDS: dict[Path, tuple] = {}


def variant(path: Path, i: int, grow: int = 0) -> str:
    """Copy i of a seed: two of its quotations misquoted (one word of each replaced, in one
    of three ways, so that a misquotation recurs across copies as it would), three of its
    paragraphs dropped and two swapped; with `grow`, that many paragraphs of another seed
    appended (bigger manuscripts, more shared quotations)."""
    if path not in _SEEDS:
        _SEEDS[path] = blocks(path)
    lines, ranges, spans = _SEEDS[path]
    rng = random.Random(SEED * 10_000 + i)
    text = "\n".join(lines)
    for qi in sorted(rng.sample(range(len(spans)), min(2, len(spans))), key=lambda k: -spans[k][0]):
        start, end = spans[qi]
        words = [m for m in re.finditer(r"[A-Za-z]{4,}", text[start:end])]
        if words:
            way = rng.randrange(3)
            m = words[(qi * 7 + way) % len(words)]
            text = text[: start + m.start()] + ("very", "quite", "rather")[way] + text[start + m.end() :]
    lines = text.split("\n")
    parts = ["\n".join(lines[a:b]) for a, b in ranges]
    if len(parts) > 6:
        for _ in range(3):
            del parts[rng.randrange(1, len(parts))]
        a, b = rng.sample(range(1, len(parts)), 2)
        parts[a], parts[b] = parts[b], parts[a]
    text = "\n".join(parts)
    if grow:
        other = SEEDS[(SEEDS.index(path) + 1 + rng.randrange(len(SEEDS) - 1)) % len(SEEDS)]
        if other not in _SEEDS:
            _SEEDS[other] = blocks(other)
        o_lines, o_ranges, _spans = _SEEDS[other]
        for _ in range(grow):
            a, b = o_ranges[rng.randrange(len(o_ranges))]
            text += "\n\n" + "\n".join(o_lines[a:b])
    return text


def make_manuscripts(n: int, folder: Path, grow: int = 0) -> list[str]:
    paths = []
    for i in range(n):
        seed = SEEDS[i % len(SEEDS)]
        path = folder / f"ms-{i:04d}-{seed.name}"
        path.write_text(variant(seed, i, grow), encoding="utf-8")
        paths.append(str(path))
    return paths


def prepare(paths: list[str]):
    """Documents, resolutions and the bibliography, as audit() makes them (not timed)."""
    bib = load_bibliography([str(BIB)])
    known = known_names(bib)
    index = Index.build(bib)
    documents = tuple(read_document(p, known) for p in paths)
    resolutions = Resolutions({doc.path: resolve_document(doc, index) for doc in documents})
    return documents, resolutions, bib


def cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def peak_mb() -> tuple[float, float]:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--jobs", type=int, default=1, help="workers for check_quotations; 0: call it without an executor")
    ap.add_argument("--repeat", type=int, default=1, help="runs per N; the best is kept")
    ap.add_argument("--grow", type=int, default=0, help="paragraphs of another seed appended to each copy")
    args = ap.parse_args()

    executor = None
    if args.jobs:
        from citeaudit.parallel import Executor

        executor = Executor(args.jobs)
    rows = []
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            paths = make_manuscripts(n, Path(tmp), args.grow)
            documents, resolutions, bib = prepare(paths)
            setup = time.perf_counter() - t
            size = sum(len(d.text) for d in documents) / n
            quotes = sum(len(d.quotations) for d in documents)
            rss_before = peak_mb()[0]
            best = None
            for _ in range(args.repeat):
                c, w = cpu(), time.perf_counter()
                kwargs = {"executor": executor} if executor is not None else {}
                result = check_quotations(documents, resolutions, bib, None, **kwargs)
                wall, used = time.perf_counter() - w, cpu() - c
                if best is None or used < best[1]:
                    best = (wall, used)
                cross, checks = sum(len(p.places) for p in result.passages), len(result.checks)
                del result
            rss, kids = peak_mb()
            rows.append((n, size, quotes, checks, cross, best[0], best[1], rss, rss - rss_before, kids, setup))
            print(f"N={n}: {size / 1000:.0f} KB a manuscript, {quotes} quotations, {checks} source checks, {cross} cross matches; "
                  f"wall {best[0]:.2f} s, CPU {best[1]:.2f} s ({1000 * best[1] / n:.1f} ms a manuscript); "
                  f"peak RSS {rss:.0f} MB (+{rss - rss_before:.0f} MB in check_quotations; workers {kids:.0f} MB); "
                  f"setup {setup:.0f} s", flush=True)
    base = rows[0]
    print()
    print("| N | KB each | quotations | cross matches | wall | CPU | CPU a manuscript | ratio | peak RSS (added) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, size, quotes, _checks, cross, wall, used, rss, added, _kids, _setup in rows:
        ratio = (used / n) / (base[6] / base[0])
        print(f"| {n} | {size / 1000:.0f} | {quotes} | {cross} | {wall:.2f} s | {used:.2f} s | {1000 * used / n:.1f} ms | "
              f"{ratio:.2f} | {rss:.0f} MB (+{added:.0f}) |")
    print(f"\njobs {args.jobs}; machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if executor is not None:
        executor.close()


if __name__ == "__main__":
    main()
