"""Extraction with a bibliography's names and titles at hand, against extraction without:
the seeds (and a 2 MB manuscript made of them), with generated bibliographies of 2,000 and
20,000 entries. Run: python benchmarks/known_names.py

The bibliography is generated (seeded, so every run is the same): surnames drawn from the
seeds' own vocabulary and a list of real surname forms with particles, titles of three to
eight words. What is timed is `extract()` of one manuscript, best of several runs; building
the names' automaton is timed apart (it is done once per run, whatever the number of
manuscripts).
"""

from __future__ import annotations

import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from citeaudit.extract import extract  # noqa: E402
from citeaudit.extract.known import KnownNames, iter_name_forms  # noqa: E402
from citeaudit.readers import decode, read_source  # noqa: E402

PARTICLES = ["", "", "", "", "van ", "de ", "von ", "van der ", "di ", "Le "]
SYLLABLES = "ba be bi bo ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to vu zu".split()


def names_and_titles(n: int, seed: int = 20261122, from_text: bool = False) -> tuple[list[str], list[str]]:
    """Surnames made of syllables, as most names are not words of the text; or, with
    `from_text`, made of the seeds' own words, the worst case: every word a name."""
    rng = random.Random(seed)
    words = sorted({w.strip(".,;:()“”‘’\"") for p in (ROOT / "seeds").glob("*.txt")
                    for w in p.read_text(encoding="utf-8").split() if w.isalpha() and len(w) > 3})
    names: list[str] = []
    titles: list[str] = []
    for _ in range(n):
        for _author in range(rng.randint(1, 3)):
            stem = rng.choice(words) if from_text else "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            last = stem.capitalize() + rng.choice(["", "", "son", "ini", "ová", "berg"])
            surname = rng.choice(PARTICLES) + last
            names.extend(iter_name_forms(surname, last, False))
        titles.append(" ".join(rng.choice(words) for _ in range(rng.randint(3, 8))).capitalize())
    return names, titles


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    seed = read_source(ROOT / "seeds" / "000_2de16985b8390cf9.txt")
    joined = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    big = decode((joined * 12).encode("utf-8"), "big.txt")
    print("| bibliography | names' automaton built | seed 000 (68 KB) | ratio | 2.2 MB manuscript | ratio |")
    print("|---|---|---|---|---|---|")
    plain_small = best(lambda: extract(seed), 15)
    plain_big = best(lambda: extract(big), 3)
    print(f"| none | – | {plain_small * 1000:.1f} ms | 1.00 | {plain_big:.2f} s | 1.00 |")
    for n, from_text in ((2_000, False), (20_000, False), (20_000, True)):
        names, titles = names_and_titles(n, from_text=from_text)
        t = time.perf_counter()
        known = KnownNames(names, titles)
        built = time.perf_counter() - t
        small = best(lambda known=known: extract(seed, known), 15)
        large = best(lambda known=known: extract(big, known), 3)
        kind = "surnames from the text's own words (worst case)" if from_text else "name forms"
        print(f"| {n:,} entries ({len(names):,} {kind}, {len(titles):,} titles) | {built * 1000:.0f} ms | "
              f"{small * 1000:.1f} ms | {small / plain_small:.2f} | {large:.2f} s | {large / plain_big:.2f} |")
    print(f"\nmedian of nothing: {statistics.median([plain_small]) * 1000:.1f} ms (best of 15)")


if __name__ == "__main__":
    main()
