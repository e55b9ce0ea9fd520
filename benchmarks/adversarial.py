"""Time `citeaudit check` on single lines built to hurt: runs of "(", "p. ", "et al. ",
capitalised words, digits, unbalanced quotation marks, a mixture of citations and
quotations, and ordinary prose without line breaks — at 1, 2, 4 and 8 MB. The cost must
grow linearly: each doubling of the input at most 2.5 times the time.

Run: python benchmarks/adversarial.py [--sizes 1 2 4 8] [--kinds ...]
Each measurement is one whole `citeaudit check --format json` process (CPU seconds of the
child, so a busy machine does not distort it), written to a temporary folder.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

UNITS = {
    "parens": "(",
    "p-dot": "p. ",
    "et-al": "et al. ",
    "capitals": "Smith Jones Marx Balibar ",
    "digits": "1977 ",
    "open-quotes": "“‘« ",
    "citations-and-quotes": "(Smith 2001, p. 3; ‘a quoted thing of five words here’ 12) Jones (1999a: 4) ",
}


def prose(n: int, seed: int = 20261122) -> str:
    """Ordinary running prose with citations and quotations, never repeating a sentence:
    words drawn from a Zipf-like vocabulary, a citation or a quotation now and then."""
    rng = random.Random(seed)
    words = [w for w in (ROOT / "seeds" / "001_14b2926651ad8fe5.txt").read_text(encoding="utf-8").split() if w.isalpha()]
    vocab = sorted(set(words))
    weights = [1 / (i + 1) for i in range(len(vocab))]
    names = ["Althusser", "Balibar", "Marx", "Tronti", "Negri", "Lo Iacono", "van der Linden"]
    out: list[str] = []
    size = 0
    while size < n:
        sentence = rng.choices(vocab, weights, k=rng.randint(8, 30))
        r = rng.random()
        if r < 0.15:
            sentence.append(f"({rng.choice(names)}, {rng.randint(1850, 2024)}, p. {rng.randint(1, 400)})")
        elif r < 0.2:
            sentence.insert(3, "‘" + " ".join(rng.choices(vocab, k=rng.randint(5, 15))) + "’")
        s = " ".join(sentence).capitalize() + ". "
        out.append(s)
        size += len(s)
    return "".join(out)[:n]


def make(kind: str, megabytes: int) -> str:
    n = megabytes * 1024 * 1024
    if kind == "prose":
        return prose(n) + "\n"
    unit = UNITS[kind]
    return (unit * (n // len(unit) + 1))[:n] + "\n"


def cpu_seconds(path: Path, out: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "citeaudit", "check", str(path), "--format", "json", "--fail-on", "never",
                           "--out", str(out)], capture_output=True, text=True, timeout=3600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{path}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4, 8], help="megabytes")
    parser.add_argument("--kinds", nargs="+", default=["prose", *UNITS], choices=["prose", *UNITS])
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    print("| line of | " + " | ".join(f"{s} MB" for s in args.sizes) + " | worst ratio per doubling |")
    print("|---|" + "---|" * len(args.sizes) + "---|")
    worst_overall = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds:
            times = []
            for mb in args.sizes:
                path = Path(tmp) / f"{kind}-{mb}.txt"
                path.write_text(make(kind, mb), encoding="utf-8")
                times.append(cpu_seconds(path, Path(tmp) / "report.json"))
                path.unlink()
            ratios = [b / a for a, b in zip(times, times[1:]) if a > 0]
            worst = max(ratios) if ratios else 0.0
            worst_overall = max(worst_overall, worst)
            print(f"| {kind} | " + " | ".join(f"{t:.1f} s" for t in times) + f" | {worst:.2f} |", flush=True)
    print(f"\nworst ratio per doubling: {worst_overall:.2f} (linear: 2.0; the bound: 2.5)")


if __name__ == "__main__":
    main()
