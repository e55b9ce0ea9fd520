"""Pickling the model: what the cache keeps and the worker processes send back.
Run: python benchmarks/pickling.py [--bib FILE]

The extraction of seed 000 and a parsed bibliography (bib/seeds.bib, or a larger one such
as benchmarks/bib_scale.py --write 5000 FILE writes), loaded and dumped with citeaudit's
pickling of its frozen dataclasses (citeaudit.frozen) and with dataclasses' own, in one
process, alternately, best of many rounds each."""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from citeaudit import load_bibliography, read_document  # noqa: E402


def _classes():
    import citeaudit.bibliography.model as bib_model
    import citeaudit.model as model
    import citeaudit.quotes.units as units
    import citeaudit.readers as readers
    import citeaudit.rules.registry as registry
    import citeaudit.text as text

    for module in (model, text, bib_model, readers, units, registry):
        for obj in vars(module).values():
            if isinstance(obj, type) and obj.__module__ == module.__name__ and dataclasses.is_dataclass(obj) \
                    and getattr(obj.__getstate__, "__qualname__", "").startswith("_quick"):
                yield obj


def _best(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(doc, bib) -> dict[str, float]:
    d, b = pickle.dumps(doc, protocol=5), pickle.dumps(bib, protocol=5)
    return {
        "extraction of seed 000, load": _best(lambda: pickle.loads(d), 50),
        "extraction of seed 000, dump": _best(lambda: pickle.dumps(doc, protocol=5), 50),
        f"bibliography of {len(bib.entries):,} entries, load": _best(lambda: pickle.loads(b), 5),
        f"bibliography of {len(bib.entries):,} entries, dump": _best(lambda: pickle.dumps(bib, protocol=5), 5),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bib", default=str(ROOT / "bib" / "seeds.bib"))
    args = ap.parse_args()
    doc = read_document(ROOT / "seeds" / "000_2de16985b8390cf9.txt")
    bib = load_bibliography([args.bib])
    classes = list(_classes())
    own = [(cls, cls.__getstate__, cls.__setstate__) for cls in classes]
    quick: dict[str, float] = {}
    plain: dict[str, float] = {}
    for _ in range(5):  # alternately, so that the machine's other load falls on both alike
        for name, t in measure(doc, bib).items():
            quick[name] = min(t, quick.get(name, t))
        for cls in classes:  # dataclasses' own pickling, as the classes had it
            cls.__getstate__ = dataclasses._dataclass_getstate  # noqa: SLF001
            cls.__setstate__ = dataclasses._dataclass_setstate  # noqa: SLF001
        for name, t in measure(doc, bib).items():
            plain[name] = min(t, plain.get(name, t))
        for cls, get, put in own:
            cls.__getstate__, cls.__setstate__ = get, put
    swapped = own
    print(f"{len(swapped)} classes")
    print("| what | dataclasses' pickling | citeaudit.frozen | ratio |")
    print("|---|---|---|---|")
    for name in quick:
        print(f"| {name} | {plain[name] * 1000:.2f} ms | {quick[name] * 1000:.2f} ms | {plain[name] / quick[name]:.1f} |")


if __name__ == "__main__":
    main()
