"""A large bibliography: loaded, resolved and checked against seed 000, and exported, at
several sizes. Run: python benchmarks/bib_scale.py [--sizes 5000,20000] [--repeat 3]
[--keep DIR]; or python benchmarks/bib_scale.py --write 20000 BIG.bib to write one .bib only.

The .bib is built deterministically (seeded) from real entries: bib/seeds.bib (first and
unchanged, so that seed 000's citations resolve as they do against it), the BibTeX files of
../shared/corpus (biblatex-examples, biber's and bibtexparser's test data, bibtex-tidy's and
citation-js's collections; each folder's SOURCE.md says where they come from) and
tests/corpora/**/refs.bib. Each is parsed with pybtex (macros expanded, crossrefs dropped, as
a copy cannot keep them) and written again, over and over, each copy with a new key, a year
moved by up to 30 years, most surnames lengthened by a syllable or two (some kept, so common
names gather many works, as in a real bibliography) and a word or two before the title.
Every 37th entry is a true duplicate of an earlier one under another key, so that the
`duplicate-entry` rule has work (by DOI or ISBN where the original has one, else by author,
title and year).

What is timed: whole `citeaudit` processes (a run pays for its imports and reading the .bib
like a user's), best of `--repeat` in wall-clock time and, steadier on a shared machine, in
CPU time, and the ratio between sizes (linear growth: 4 times the
entries, at most about 4 times the time). The check runs without the cache (`--no-cache`),
and again with the cache a first run filled (`--cache DIR`), as a CI job's next run would;
the exports likewise (CSL-JSON from the cache: the .bib's parse read back).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
SEED = ROOT / "seeds" / "000_2de16985b8390cf9.txt"
sys.path.insert(0, str(ROOT / "src"))

SYLLABLES = "ba be bi bo ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se si so ta te ti to vu zu".split()
TITLE_WORDS = ("Notes on", "Essays on", "Studies in", "Remarks on", "Beyond", "Rethinking", "Towards", "Against",
               "Readings of", "Lectures on", "Aspects of", "Critique of", "Problems of", "Letters on", "Debates on",
               "Questions of", "Returning to", "Revisiting", "Sketches of", "Fragments on")
#: Fields a copy cannot keep: they name other entries by key.
DROPPED = {"crossref", "xref", "xdata", "ids", "entryset", "related", "relatedtype", "relatedstring", "set"}
SKIPPED_TYPES = {"set", "xdata", "string", "preamble", "comment"}
YEAR = re.compile(r"^\d{4}")


def sources() -> list[Path]:
    out = [ROOT / "bib" / "seeds.bib"]
    out += sorted(SHARED.rglob("*.bib")) if SHARED.is_dir() else []
    out += sorted((ROOT / "tests" / "corpora").rglob("refs.bib"))
    return out


def _entries_of(text: str):
    """(key, pybtex entry) of every entry that pybtex reads: the whole file at once, or
    block by block where one block stops it (some corpus files are broken on purpose)."""
    import pybtex.errors
    from pybtex.database.input.bibtex import Parser

    from citeaudit.bibliography.read import split_blocks

    def parse(t: str):
        with pybtex.errors.capture():
            return Parser().parse_string(t).entries

    try:
        return list(parse(text).items())
    except Exception:  # noqa: BLE001
        pass
    blocks = split_blocks(text)
    macros = "\n".join(b.text for b in blocks if b.kind == "string")
    out = []
    for b in blocks:
        if b.kind in SKIPPED_TYPES or not b.closed:
            continue
        try:
            out.extend(parse(macros + "\n" + b.text).items())
        except Exception:  # noqa: BLE001
            continue
    return out


def templates() -> list[tuple[str, str, list[tuple[str, str]], dict[str, list]]]:
    """(key, type, fields, persons) of every usable entry of the sources, in a fixed order."""
    out = []
    seen: set[str] = set()
    for path in sources():
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        for key, e in _entries_of(text):
            if e.type.lower() in SKIPPED_TYPES:
                continue
            fields = [(k.lower(), str(v)) for k, v in e.fields.items() if k.lower() not in DROPPED]
            persons = {role.lower(): list(ps) for role, ps in e.persons.items()}
            if not fields and not persons:
                continue
            sig = (key.lower(), tuple(fields))
            if str(sig) in seen:  # the same file vendored twice
                continue
            seen.add(str(sig))
            out.append((key, e.type.lower(), fields, persons))
    return out


def _person(p, suffix: str) -> str:
    from pybtex.database import Person

    if not suffix or not p.last_names:
        return str(p)
    lasts = list(p.last_names)
    last = lasts[-1]
    lasts[-1] = last[:-1] + " " + suffix.capitalize() + "}" if last.endswith("}") else last + suffix
    return str(Person(first=" ".join(p.first_names), middle=" ".join(p.middle_names), prelast=" ".join(p.prelast_names),
                      last=" ".join(lasts), lineage=" ".join(p.lineage_names)))


def _entry_text(key: str, etype: str, fields: list[tuple[str, str]], persons: dict[str, str]) -> str:
    lines = [f"@{etype}{{{key},"]
    for role, value in persons.items():
        lines.append(f"  {role} = {{{value}}},")
    for name, value in fields:
        lines.append(f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines)


def build(n: int, seed: int = 20261123) -> str:
    """The text of a .bib of `n` entries (see the module's docstring)."""
    rng = random.Random(seed)
    temps = templates()
    keys: set[str] = set()
    written: list[tuple[str, str, list[tuple[str, str]], dict[str, str]]] = []
    out = [f"% {n} entries generated by benchmarks/bib_scale.py (seed {seed}) from bib/seeds.bib, "
           "../shared/corpus and tests/corpora\n"]
    i = 0
    while len(written) < n:
        if written and i % 37 == 36:  # a true duplicate under another key
            key, etype, fields, persons = written[rng.randrange(len(written))]
            new_key = f"{key}-dup{i}"
        else:
            t_key, etype, t_fields, t_persons = temps[i % len(temps)]
            copy = i // len(temps)
            new_key = t_key if copy == 0 else f"{t_key}-{copy}"
            if copy == 0:
                fields = t_fields
                persons = {role: " and ".join(str(p) for p in ps) for role, ps in t_persons.items()}
            else:
                shift = rng.randint(-30, 30)
                varied = rng.random() < 0.7
                suffix = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 2))) if varied else ""
                persons = {role: " and ".join(_person(p, suffix if j == 0 else "") for j, p in enumerate(ps))
                           for role, ps in t_persons.items()}
                fields = []
                for name, value in t_fields:
                    if name in ("year", "date") and YEAR.match(value):
                        value = f"{int(value[:4]) + shift:04d}{value[4:]}"
                    elif name == "title":
                        value = f"{rng.choice(TITLE_WORDS)} {value}"
                    elif name in ("doi", "isbn", "issn", "url"):
                        continue  # a copy is another work: not the original's identifiers
                    fields.append((name, value))
        while new_key.lower() in keys:  # BibTeX keys are the same whatever their case
            new_key += "x"
        keys.add(new_key.lower())
        written.append((new_key, etype, fields, persons))
        out.append(_entry_text(new_key, etype, fields, persons))
        i += 1
    return "\n\n".join(out) + "\n"


def write(n: int, path: str | os.PathLike[str]) -> None:
    Path(path).write_text(build(n), encoding="utf-8")


def _best(cmd: list[str], repeat: int, before_each=None) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of a whole process (`before_each(i)` run, untimed,
    before the i-th)."""
    walls, cpus = [], []
    for i in range(repeat):
        if before_each is not None:
            before_each(i)
        before = os.times()
        t = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        walls.append(time.perf_counter() - t)
        after = os.times()
        cpus.append((after.children_user - before.children_user) + (after.children_system - before.children_system))
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-2000:]}")
    return min(walls), min(cpus)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5000,20000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", metavar="DIR", help="write the .bib files here (default: a temporary folder)")
    ap.add_argument("--write", nargs=2, metavar=("N", "FILE"), help="only write a .bib of N entries to FILE")
    args = ap.parse_args()
    if args.write:
        write(int(args.write[0]), args.write[1])
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    exe = [sys.executable, "-m", "citeaudit"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    folder = args.keep or tempfile.mkdtemp(prefix="bib_scale_")
    os.makedirs(folder, exist_ok=True)
    cache = os.path.join(folder, "cache")
    edited = os.path.join(folder, "edited", SEED.name)
    os.makedirs(os.path.dirname(edited), exist_ok=True)
    seed_text = SEED.read_text(encoding="utf-8")

    def edit(i: int) -> None:
        with open(edited, "w", encoding="utf-8") as fh:
            fh.write(seed_text + f"\nA paragraph added in revision {time.time_ns()}-{i} (Althusser 1978).\n")

    runs = {
        "check seed 000": ["check", str(SEED), "--format", "json", "--fail-on", "never", "--no-cache", "--bib"],
        # the same with the cache of a first run: the same inputs, so its output is written from the cache
        "check seed 000, cached": ["check", str(SEED), "--format", "json", "--fail-on", "never", "--cache", cache, "--bib"],
        # the manuscript edited (a paragraph added) since the first run: the .bib parsed from the
        # cache, the manuscript read and checked again
        "check seed 000 edited, cached": ["check", edited, "--format", "json", "--fail-on", "never", "--cache", cache,
                                          "--bib"],
        "export csl-json": ["export", "--to", "csl-json", "--no-cache", "--bib"],
        "export bibtex": ["export", "--to", "bibtex", "--no-cache", "--bib"],
        # an export again, the .bib parsed from the cache of a first run
        "export csl-json, cached": ["export", "--to", "csl-json", "--cache", cache, "--bib"],
    }
    base, _ = _best([*exe, "check", str(SEED), "--format", "json", "--fail-on", "never", "--no-cache"], args.repeat)
    print(f"baseline: check seed 000 without a .bib: {base:.2f} s")
    results: dict[str, list[float]] = {name: [] for name in runs}
    print("| entries | size | " + " | ".join(runs) + " |")
    print("|---|---|" + "---|" * len(runs))
    for n in sizes:
        path = os.path.join(folder, f"big{n}.bib")
        if not os.path.exists(path):
            write(n, path)
        cells = []
        for name, cmd in runs.items():
            again = edit if edited in cmd else None
            if "--cache" in cmd:
                _best([*exe, *cmd, path], 1, again)  # fills the cache
            wall, cpu = _best([*exe, *cmd, path], args.repeat, again)
            results[name].append(wall)
            cells.append(f"{wall:.2f} s ({cpu:.2f} s CPU)")
        print(f"| {n:,} | {os.path.getsize(path) / 1e6:.1f} MB | " + " | ".join(cells) + " |")
    if len(sizes) > 1:
        factor = sizes[-1] / sizes[0]
        print(f"\nratio {sizes[-1]:,} / {sizes[0]:,} entries ({factor:g} times the entries): " + ", ".join(
            f"{name} {times[-1] / times[0]:.2f}" for name, times in results.items()))
        # only for the check from nothing: the baseline is that check without the .bib (the
        # cached checks run less than it does, the exports do not check)
        times = results["check seed 000"]
        print(f"ratio after the baseline's cost is taken off: check seed 000 {(times[-1] - base) / max(times[0] - base, 1e-9):.2f}")
    # the machine's speed moves from run to run: each figure as a multiple of this run's baseline
    print(f"at {sizes[-1]:,} entries, in baselines ({base:.2f} s): " + ", ".join(
        f"{name} {times[-1] / base:.1f}" for name, times in results.items()))


if __name__ == "__main__":
    main()
