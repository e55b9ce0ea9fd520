#!/usr/bin/env python3
"""A season's manuscripts checked together: N variants of the seed manuscripts (about 70 KB
each; paragraphs dropped and reordered per copy, so no two are alike) against bib/seeds.bib,
quotations cross-checked across all of them.

    python benchmarks/scale.py 10 100 [--jobs 1 2] [--scheduler tcp://HOST:PORT] [--cache]

For each N and each worker count: wall and CPU seconds of the whole check (this process and
its worker processes), CPU per manuscript, peak memory (largest process), the JSON report's
size, and the parallel efficiency against one worker (wall(1) / (workers * wall(k))). With
--cache: a first run that fills a cache, then a run after one manuscript of N changed.
The machine, Python and date are printed with the figures (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from citeaudit import audit  # noqa: E402
from citeaudit.cache import Cache  # noqa: E402
from citeaudit.report import json_report  # noqa: E402

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
BIB = ROOT / "bib" / "seeds.bib"


def make_corpus(folder: Path, n: int, seed: int = 20261122) -> None:
    """n manuscripts: seed texts with a tenth of their paragraphs dropped and a few swapped."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    for i in range(n):
        base = texts[i % len(texts)]
        sep = "\n \n\n" if "\n \n\n" in base else "\n\n"
        paras = base.split(sep)
        keep = [p for p in paras if rng.random() > 0.1] or paras
        for _ in range(3):
            a, b = rng.randrange(len(keep)), rng.randrange(len(keep))
            keep[a], keep[b] = keep[b], keep[a]
        (folder / f"ms{i:04d}.txt").write_text(sep.join(keep), encoding="utf-8")


def _new_wording(folder: Path) -> str:
    """Sixteen words of a manuscript's plain prose, from its middle: a wording no manuscript
    quotes yet."""
    words = (folder / f"ms{len(list(folder.glob('ms*.txt'))) - 1:04d}.txt").read_text(encoding="utf-8").split()
    middle = len(words) // 2
    return " ".join(w.strip("“”‘’\"'()[]") for w in words[middle:middle + 16])


def cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def peak_mb() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(me, kids) / 1024


def run(folder: Path, jobs: int, scheduler: str | None, cache: Cache | None = None) -> tuple[float, float, int]:
    c0, t0 = cpu(), time.perf_counter()
    report = audit([str(folder)], [str(BIB)], jobs=jobs, scheduler=scheduler, cache=cache)
    size = len(json_report.render(report, cache.text_memo(json_report.PARTS) if cache else None).encode("utf-8"))
    return time.perf_counter() - t0, cpu() - c0, size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[10, 100])
    ap.add_argument("--jobs", nargs="*", type=int, default=[1, 2])
    ap.add_argument("--scheduler")
    ap.add_argument("--cache", action="store_true")
    args = ap.parse_args()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}")
    print("| manuscripts | workers | wall s | CPU s | CPU per manuscript | report MB | efficiency |")
    print("|---|---|---|---|---|---|---|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "season"
            folder.mkdir()
            make_corpus(folder, n)
            walls = {}
            for jobs in args.jobs:
                wall, used, size = run(folder, jobs, None)
                walls[jobs] = wall
                eff = walls[args.jobs[0]] * args.jobs[0] / (jobs * wall)
                print(f"| {n} | {jobs} | {wall:.1f} | {used:.1f} | {used / n:.3f} | {size / 1e6:.1f} | {eff:.2f} |", flush=True)
            if args.scheduler:
                wall, used, size = run(folder, 1, args.scheduler)
                print(f"| {n} | dask {args.scheduler} | {wall:.1f} | {used:.1f} (client only) | | {size / 1e6:.1f} | "
                      f"{walls[args.jobs[0]] / wall:.2f}× one worker |", flush=True)
            if args.cache:
                cache_dir = Path(tmp) / "cache"
                first, _, _ = run(folder, max(args.jobs), None, Cache(str(cache_dir)))
                # two revisions: a paragraph added to one manuscript; then a quotation of
                # another's wording, which every manuscript must be searched for again
                edits = [("a paragraph added to one manuscript", "\nA new paragraph (Althusser 1978).\n"),
                         ("a new quotation in one manuscript", f"\nAs was said, “{_new_wording(folder)}” (Marx 1852).\n")]
                for what, added in edits:
                    one = folder / "ms0000.txt"
                    one.write_text(one.read_text(encoding="utf-8") + added, encoding="utf-8")
                    again = Cache(str(cache_dir))
                    second, _, _ = run(folder, max(args.jobs), None, again)
                    print(f"| {n} | cache: first run {first:.1f} s; {what}: {second:.2f} s ({second / first:.2f} of it; "
                          f"{again.hits} entries from the cache) | | | | | |", flush=True)
            shutil.rmtree(folder)
    print(f"\npeak memory (largest process): {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
