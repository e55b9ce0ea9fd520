"""Time extraction (read, segment, normalise, extract) of each seed and of a large synthetic
manuscript made by repeating them. Run: python benchmarks/extract.py"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from citeaudit.extract import extract  # noqa: E402
from citeaudit.readers import decode, read_source  # noqa: E402


def best_of(fn, repeat: int = 15) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    print("| manuscript | size | citations | best | median | throughput |")
    print("|---|---|---|---|---|---|")
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        source = read_source(path)
        doc = extract(source)
        best, median = best_of(lambda source=source: extract(source))
        kb = len(source.text.encode()) / 1024
        print(f"| {path.name[:3]} | {kb:.0f} KB | {len(doc.citations)} | {best * 1000:.1f} ms | {median * 1000:.1f} ms | {kb / 1024 / best:.1f} MB/s |")
    big = "\n\n".join((ROOT / "seeds" / p.name).read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    big_source = decode((big * 12).encode("utf-8"), "big.txt")
    doc = extract(big_source)
    best, median = best_of(lambda: extract(big_source), repeat=3)
    kb = len(big_source.text.encode()) / 1024
    print(f"| four seeds x 12 | {kb:.0f} KB | {len(doc.citations)} | {best * 1000:.0f} ms | {median * 1000:.0f} ms | {kb / 1024 / best:.1f} MB/s |")


if __name__ == "__main__":
    main()
