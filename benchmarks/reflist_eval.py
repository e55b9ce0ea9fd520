"""Evaluate the reference-string parser (``citeaudit.reflist``).

    python benchmarks/reflist_eval.py [--model PATH] [--corpus ../shared/corpus] [--skip-round-trip]

1. Held-out AnyStyle gold (the fifth of ``anystyle-gold.xml`` that training never sees,
   ``train.is_held_out``), in the manner of GROBID's evaluation of its sequence labellers:
   token-level accuracy; field-level precision / recall / F1 per label, a field being a run of
   tokens with one label that must match the gold run exactly (same label, same first and last
   token); micro and macro averages; instance-level accuracy (every token of the reference right).
   Then the structured fields read from the segments, compared with those read from the gold
   segments (authors' family names in order, year, title, container, volume, pages, ...).
2. Round trip: CSL items of known truth that training never saw (``synth.is_round_trip_item``)
   rendered by pandoc's citeproc in five styles and parsed back; agreement of the authors' family
   names (in order), year, title and container with the item.

Tables are printed in Markdown.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from citeaudit.reflist import crf, fields, synth, train  # noqa: E402


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _family_names(persons) -> list[str]:
    return [synth.fold(p.surname) for p in persons]


def structured(ref: fields.ParsedReference) -> dict[str, str]:
    return {
        "authors": "|".join(_family_names(ref.authors)),
        "editors": "|".join(_family_names(ref.editors)),
        "year": (ref.year or ref.date_status or "") + ref.year_suffix,
        "title": synth.fold(ref.title),
        "container": synth.fold(ref.container),
        "volume": ref.volume,
        "issue": ref.issue,
        "pages": ref.pages,
        "publisher": synth.fold(ref.publisher),
        "place": synth.fold(ref.place),
        "doi": ref.doi.casefold(),
        "url": ref.url,
    }


def held_out(model: str | None, corpus: Path) -> dict:
    _, held = train.gold_split(train.gold_path(corpus))
    tagger = crf.load_tagger(model)
    tp, fp, fn = Counter(), Counter(), Counter()
    tok_ok = tok_all = inst_ok = 0
    agree, present = Counter(), Counter()
    errors = []
    t0 = time.perf_counter()
    for seq in held:
        pred = tagger.tag(crf.features(list(seq.tokens)))
        gold_runs, pred_runs = train.label_runs(seq.labels), train.label_runs(pred)
        for lab, *_ in gold_runs & pred_runs:
            tp[lab] += 1
        for lab, *_ in pred_runs - gold_runs:
            fp[lab] += 1
        for lab, *_ in gold_runs - pred_runs:
            fn[lab] += 1
        tok_ok += sum(a == b for a, b in zip(pred, seq.labels))
        tok_all += len(pred)
        if list(pred) == list(seq.labels):
            inst_ok += 1
        else:
            errors.append((seq, pred))
        g = structured(fields.build(seq.text, [crf.Labelled(t, lab, 1.0) for t, lab in zip(seq.tokens, seq.labels)]))
        p = structured(fields.build(seq.text, [crf.Labelled(t, lab, 1.0) for t, lab in zip(seq.tokens, pred)]))
        for k, v in g.items():
            if v or p[k]:
                present[k] += 1
                agree[k] += v == p[k]
    elapsed = time.perf_counter() - t0
    per_label = {}
    for lab in sorted(set(tp) | set(fp) | set(fn), key=lambda x: -(tp[x] + fn[x])):
        per_label[lab] = (*prf(tp[lab], fp[lab], fn[lab]), tp[lab] + fn[lab])
    micro = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    macro = tuple(sum(v[i] for v in per_label.values()) / len(per_label) for i in range(3))
    return {
        "n": len(held),
        "tokens": tok_all,
        "token_accuracy": tok_ok / tok_all,
        "per_label": per_label,
        "micro": micro,
        "macro": macro,
        "instance": inst_ok / len(held),
        "structured": {k: (agree[k] / present[k], present[k]) for k in present},
        "errors": errors,
        "ms_per_reference": 1000 * elapsed / len(held),
    }


def _years(item: dict) -> str:
    try:
        return str(int(item["issued"]["date-parts"][0][0]))
    except (KeyError, IndexError, TypeError, ValueError):
        return ""


def _expected_names(item: dict) -> list[str]:
    out = []
    for n in item.get("author") or []:
        if n.get("literal"):
            out.append(synth.fold(n["literal"]))
        else:
            out.append(synth.fold((n.get("non-dropping-particle", "") + " " + n.get("family", "")).strip()))
    return out


def _names_agree(expected: list[str], ref: fields.ParsedReference, rendered: str) -> bool:
    got = [synth.fold(p.surname) for p in ref.authors]
    alt = [synth.fold(p.family) for p in ref.authors]
    if not got:
        return False
    if len(got) < len(expected):  # the style cut the list: "et al.", "…"
        if not (ref.et_al or "…" in rendered or "..." in rendered):
            return False
        expected = expected[: len(got)]
    if len(got) > len(expected) and len(expected) > 1 and ("…" in rendered or "..." in rendered):
        # APA 7 with 21+ authors: first 19, "…", the last
        expected = expected[:19] + expected[-1:]
    if len(got) != len(expected):
        return False
    return all(g == e or a == e or (e and (g.endswith(e) or e.endswith(a))) for g, a, e in zip(got, alt, expected))


def round_trip(model: str | None, corpus: Path, styles: tuple[str, ...]) -> dict:
    items = [it for it in synth.corpus_items(corpus) if synth.is_round_trip_item(it)]
    failures = defaultdict(list)
    agree, present = Counter(), Counter()  # by (style, field)

    def tally(style: str, name: str, ok: bool, text: str, got) -> None:
        present[style, name] += 1
        agree[style, name] += ok
        if not ok:
            failures[(style, name)].append((text, got))

    for style in styles:
        rendered = synth.render(items, style)
        # parsed in the order of the bibliography, so a "———." takes the authors of the entry before
        parsed = fields.resolve_repeated_authors([fields.parse_reference(r.text, model) for r in rendered])
        for r, ref in zip(rendered, parsed):
            item = r.item
            expected = _expected_names(item)
            if expected:
                tally(style, "authors", _names_agree(expected, ref, r.text), r.text, [p.display() for p in ref.authors])
            year = _years(item)
            if year and year in r.text:
                tally(style, "year", ref.year == year, r.text, ref.year)
            for name, csl, got in (("title", "title", ref.title), ("container", "container-title", ref.container)):
                value = synth.fold(item.get(csl, ""))
                if value and value in synth.fold(r.text):
                    tally(style, name, synth.fold(got) == value, r.text, got)
    results = {style: {k: (agree[style, k] / present[style, k] if present[style, k] else float("nan"), present[style, k])
                       for k in ("authors", "year", "title", "container")} for style in styles}
    return {"n_items": len(items), "styles": results, "failures": failures}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None, help="model file (default: the packaged one)")
    ap.add_argument("--corpus", type=Path, default=synth.default_corpus())
    ap.add_argument("--skip-round-trip", action="store_true")
    ap.add_argument("--show-errors", type=int, default=0, help="print this many held-out references the model got wrong")
    ap.add_argument("--show-failures", type=int, default=0, help="print this many round-trip disagreements per style and field")
    args = ap.parse_args(argv)

    model_file = Path(args.model) if args.model else crf.MODEL_PATH
    t0 = time.perf_counter()
    crf.load_tagger(args.model)
    load_ms = 1000 * (time.perf_counter() - t0)
    print(f"model: {model_file} ({model_file.stat().st_size / 1e6:.2f} MB), loaded in {load_ms:.1f} ms\n")

    h = held_out(args.model, args.corpus)
    print(f"## Held-out AnyStyle gold: {h['n']} references, {h['tokens']} tokens\n")
    print("| label | precision | recall | F1 | gold fields |")
    print("|---|---:|---:|---:|---:|")
    for lab, (p, r, f, n) in h["per_label"].items():
        print(f"| {lab} | {p:.3f} | {r:.3f} | {f:.3f} | {n} |")
    p, r, f = h["micro"]
    print(f"| **all fields (micro)** | **{p:.3f}** | **{r:.3f}** | **{f:.3f}** | {sum(v[3] for v in h['per_label'].values())} |")
    p, r, f = h["macro"]
    print(f"| all labels (macro) | {p:.3f} | {r:.3f} | {f:.3f} | |")
    print()
    print(f"Token-level accuracy: {h['token_accuracy']:.4f}  ")
    print(f"Instance-level accuracy (every token right): **{h['instance']:.3f}**  ")
    print(f"Labelling speed: {h['ms_per_reference']:.2f} ms per reference\n")
    print("### Structured fields read from the predicted vs the gold segments\n")
    print("| field | agreement | references with the field |")
    print("|---|---:|---:|")
    for k, (a, n) in h["structured"].items():
        print(f"| {k} | {a:.3f} | {n} |")
    print()
    for seq, pred in h["errors"][: args.show_errors]:
        print("-", " ".join(f"{t.text}/{g}" + (f"→{p}" if p != g else "") for t, g, p in zip(seq.tokens, seq.labels, pred)))
    if args.skip_round_trip:
        return 0
    rt = round_trip(args.model, args.corpus, synth.ROUND_TRIP_STYLES)
    print(f"## Round trip: {rt['n_items']} CSL items not used in training, rendered by pandoc citeproc and parsed back\n")
    print("| style | authors (family names in order) | year | title | container |")
    print("|---|---:|---:|---:|---:|")
    for style, res in rt["styles"].items():
        cells = [f"{a:.3f} ({n})" for a, n in (res[k] for k in ("authors", "year", "title", "container"))]
        print(f"| {style} | " + " | ".join(cells) + " |")
    print()
    if args.show_failures:
        for (style, field), cases in sorted(rt["failures"].items()):
            for text, got in cases[: args.show_failures]:
                print(f"- {style} / {field}: {text!r} → {got!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
