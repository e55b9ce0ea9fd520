"""Train the reference-string CRF: ``python -m citeaudit.reflist.train``.

Training data:
  * AnyStyle's gold references (``reference-strings/anystyle-gold.xml``) except the held-out
    fifth: a sequence is held out when the SHA-1 of its text is 0 modulo 5 (``is_held_out``),
    so the split does not depend on order and a string repeated in the file falls on one side;
  * references rendered by pandoc's citeproc in many CSL styles from the items of known truth
    in the shared corpora (BibTeX files, the CSL sample items, JATS reference lists), except the
    fifth of the items kept for the round trip (``synth.is_round_trip_item``). See ``synth.py``.

Everything is seeded, so the same corpora, pandoc and CSL styles give the same model.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from . import crf, synth

DEFAULT_PARAMS = {
    "c1": 0.1,  # L1: keeps the model small (a few hundred kB)
    "c2": 0.01,
    "max_iterations": 300,
    "feature.possible_transitions": True,
}


@dataclass(frozen=True)
class GoldSequence:
    text: str
    tokens: tuple[crf.Token, ...]
    labels: tuple[str, ...]


def gold_path(corpus: str | os.PathLike[str] | None = None) -> Path:
    root = Path(corpus) if corpus else synth.default_corpus()
    return root / "reference-strings" / "anystyle-gold.xml"


def read_gold(path: str | os.PathLike[str]) -> list[GoldSequence]:
    """AnyStyle's ``<sequence>`` elements as strings (segments joined by one space) with a label per token."""
    root = ET.parse(path).getroot()
    out = []
    for seq in root:
        parts, char_labels = [], []
        for seg in seq:
            text = " ".join((seg.text or "").split())
            if not text:
                continue
            if parts:
                parts.append(" ")
                char_labels.append(None)
            parts.append(text)
            char_labels.extend([seg.tag] * len(text))
        text = "".join(parts)
        if not text:
            continue
        tokens = crf.tokenize(text)
        labels = tuple(char_labels[t.start] for t in tokens)
        out.append(GoldSequence(text, tuple(tokens), labels))  # type: ignore[arg-type]
    return out


def is_held_out(text: str) -> bool:
    """The held-out fifth of the gold set: SHA-1 of the string, 0 modulo 5."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 5 == 0


def gold_split(path: str | os.PathLike[str]) -> tuple[list[GoldSequence], list[GoldSequence]]:
    """(training, held-out) sequences of the gold file."""
    seqs = read_gold(path)
    return [s for s in seqs if not is_held_out(s.text)], [s for s in seqs if is_held_out(s.text)]


def label_runs(labels) -> set[tuple[str, int, int]]:
    """The fields of a labelled sequence as (label, first token, last token): what the
    held-out scores count (a field is right when its label and both ends are), for the
    benchmark and the test's floor alike."""
    out = set()
    i = 0
    while i < len(labels):
        j = i
        while j + 1 < len(labels) and labels[j + 1] == labels[i]:
            j += 1
        out.add((labels[i], i, j))
        i = j + 1
    return out


def synthetic_sequences(
    corpus: Path, per_item: int, seed: int, recombined: int = 0, log=print
) -> list[tuple[list[str], list[str]]]:
    """Rendered and labelled references from the corpus items that the round trip does not use,
    and from ``recombined`` items put together from their values."""
    items = [it for it in synth.corpus_items(corpus) if not synth.is_round_trip_item(it)]
    stats: dict = {}
    seqs = synth.training_sequences(items, per_item=per_item, seed=seed, stats=stats)
    log(
        f"rendered {len(items)} training items in the {len(synth.ROUND_TRIP_STYLES)} round-trip styles and {per_item} more each: "
        f"kept {stats.get('kept', 0)}, dropped {stats.get('dropped', 0)}"
    )
    if recombined:
        mixed = synth.recombined_items(items, recombined, seed=seed)
        stats = {}
        seqs += synth.training_sequences(mixed, per_item=1, seed=seed + 1, stats=stats)
        log(f"rendered {len(mixed)} recombined items: kept {stats.get('kept', 0)}, dropped {stats.get('dropped', 0)}")
    return seqs


def train(
    corpus: Path,
    out: Path,
    per_item: int = 2,
    recombined: int = 1500,
    synthetic: bool = True,
    gold_copies: int = 4,
    seed: int = 13,
    params: dict | None = None,
    log=print,
) -> Path:
    import pycrfsuite

    t0 = time.time()
    gold_train, held = gold_split(gold_path(corpus))
    log(f"gold: {len(gold_train)} training sequences, {len(held)} held out")
    data: list[tuple[list[crf.Token], list[str]]] = []
    for _ in range(gold_copies):
        data.extend((list(s.tokens), list(s.labels)) for s in gold_train)
    if synthetic:
        held_texts = {s.text for s in held}
        for words, labels in synthetic_sequences(corpus, per_item, seed, recombined, log):
            if " ".join(words) in held_texts:  # never (rendered text is not AnyStyle's), but be sure
                continue
            data.append((synth.sequence_tokens(words), labels))
    random.Random(seed).shuffle(data)
    trainer = pycrfsuite.Trainer(verbose=False)
    for tokens, labels in data:
        trainer.append(crf.features(tokens), labels)
    trainer.set_params({**DEFAULT_PARAMS, **(params or {})})
    log(f"training on {len(data)} sequences, {sum(len(t) for t, _ in data)} tokens ...")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    trainer.train(str(tmp))
    os.replace(tmp, out)
    log(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) in {time.time() - t0:.0f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m citeaudit.reflist.train", description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=synth.default_corpus(), help="the shared corpus (default: ../shared/corpus)")
    ap.add_argument("--out", type=Path, default=crf.MODEL_PATH, help="model file to write (default: the packaged model)")
    ap.add_argument("--styles-per-item", type=int, default=2, help="random CSL styles each corpus item is rendered in, beside the five round-trip styles")
    ap.add_argument("--recombined", type=int, default=1500, help="items put together from the corpus items' values, rendered too")
    ap.add_argument("--no-synthetic", action="store_true", help="train on the gold set only")
    ap.add_argument("--gold-copies", type=int, default=4, help="weight of the gold sequences (each is repeated this many times)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--c1", type=float, default=DEFAULT_PARAMS["c1"])
    ap.add_argument("--c2", type=float, default=DEFAULT_PARAMS["c2"])
    ap.add_argument("--max-iterations", type=int, default=DEFAULT_PARAMS["max_iterations"])
    args = ap.parse_args(argv)
    if not gold_path(args.corpus).is_file():
        print(f"no gold set at {gold_path(args.corpus)}", file=sys.stderr)
        return 2
    train(
        args.corpus,
        args.out,
        per_item=args.styles_per_item,
        recombined=args.recombined,
        synthetic=not args.no_synthetic,
        gold_copies=args.gold_copies,
        seed=args.seed,
        params={"c1": args.c1, "c2": args.c2, "max_iterations": args.max_iterations},
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
