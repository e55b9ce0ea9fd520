#!/usr/bin/env python3
"""The Markdown and LaTeX readers against the real tools' answers.

    .venv/bin/python tests/manuscripts_eval.py              # both folders, a table each
    .venv/bin/python tests/manuscripts_eval.py markdown -v  # one folder, misses listed

Corpus: tests/corpora/manuscripts/{markdown,latex}/ with gold.json made by pandoc 3.9
(`--citeproc`) and by latex + bibtex/biber (see that folder's README.md).

Per document and in total:

- cited keys: the keys of the reader's marked citations (`\\nocite` apart) against the
  keys pandoc / LaTeX cited — recall and precision over unique keys per document, and
  over citations with their multiplicities (`cite_counts`);
- missing keys: the cited keys that are not in the document's .bib (read with
  citeaudit's own `load_bibliography`), against pandoc's "citation KEY not found" and
  bibtex's/biber's "I didn't find a database entry": per key (whether the verdict on each
  key cited by either agrees) and per document (the same set);
- notes: the notes the reader found against the Note nodes pandoc made / the
  `\\footnote`s latex executed.

Two documented departures of the gold from what a reader of the source can or should say
are applied, and printed:

- markdown: Quarto/pandoc-crossref labels (`@fig-quine`, `@tbl-x`, `@eq-x`, gold's
  `crossref_like_keys`) are cited keys and "missing" to plain pandoc; the reader keeps them
  apart as cross-references, so they are taken out of the gold;
- latex: for a document with an embedded `thebibliography` and no `\\bibdata`
  (`embedded_thebibliography`), bibtex reports every key missing; latex's own answer
  (`latex_undefined_citations`) is the gold there. Keys cited only from inside .bib
  entries (`keys_cited_only_from_second_run`) cannot be seen in the .tex files and are
  taken out of the gold.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "src"))

from citeaudit.bibliography import load_bibliography  # noqa: E402
from citeaudit.readers.latex import read_latex  # noqa: E402
from citeaudit.readers.markdown import read_markdown  # noqa: E402

CORPUS = os.path.join(HERE, "corpora", "manuscripts")

#: Why LaTeX's citation counts exceed the reader's where every key is found.
COUNTS_NOTE = (
    "LaTeX counts a citation each time it executes it: a \\cite in a caption again when it reads the list of\n"
    "figures back (.lof), a \\cite inside a macro each time the macro is used, biblatex's numeric \\textcite\n"
    "registers its key twice once biber has run. The reader counts each citation once, as written."
)

#: Where the gold's note count is an artefact of reading R Markdown without knitr.
NOTE_DEPARTURES = {
    "papaja-example": (1, "pandoc reads the knitr chunk ```{r descriptives} as inline code that runs over the "
                          "definition of [^xtable]; with the chunk headers written as fences (as knitr writes them) "
                          "pandoc 3.9 finds that 1 note"),
}


def _keys(sources):
    """(counter of cited keys, counter of nocite keys, number of notes) over the sources."""
    cited: collections.Counter = collections.Counter()
    nocite: collections.Counter = collections.Counter()
    notes = 0
    for src in sources:
        for mc in src.marked:
            for ref in mc.refs:
                (nocite if mc.mode == "nocite" else cited)[ref.key] += 1
        notes += len({n.number for n in src.notes})
    return cited, nocite, notes


def _bib_keys(paths):
    paths = [p for p in paths if os.path.exists(p)]
    if not paths:
        return None
    return {e.key for e in load_bibliography(paths).entries}


def markdown_documents():
    folder = os.path.join(CORPUS, "markdown")
    gold = json.load(open(os.path.join(folder, "gold.json"), encoding="utf-8"))
    for g in gold["documents"]:
        ddir = os.path.join(folder, g["id"])
        sources = [read_markdown(os.path.join(ddir, f)) for f in g["inputs"]]
        bib = [os.path.join(ddir, b) for b in g["bibliography"]]
        xref = set(g.get("crossref_like_keys") or [])
        gold_counts = {k: v for k, v in g["cite_counts"].items() if k not in xref}
        gold_missing = [k for k in g["missing_keys"] if k not in xref]
        applied = {"crossref (apart)": sorted(xref)} if xref else {}
        notes = g["notes"]
        if g["id"] in NOTE_DEPARTURES:
            notes, why = NOTE_DEPARTURES[g["id"]]
            applied["notes"] = why
        yield g["id"], sources, bib, gold_counts, gold_missing, notes, applied, True


def latex_documents():
    folder = os.path.join(CORPUS, "latex")
    gold = json.load(open(os.path.join(folder, "gold.json"), encoding="utf-8"))
    manifest = {d["id"]: d for d in json.load(open(os.path.join(folder, "manifest.json"), encoding="utf-8"))["documents"]}
    for g in gold["documents"]:
        m = manifest[g["id"]]
        ddir = os.path.join(folder, m.get("dir", g["id"]))
        main = os.path.join(ddir, g["main"])
        sources = read_latex(main)
        bib = list(sources[0].bibliography) if sources else []
        notes_applied = {}
        if not bib:  # an embedded thebibliography: the .bib files beside it
            bib = [os.path.join(ddir, f["path"]) for f in m["files"] if f["path"].endswith(".bib")]
            notes_applied["bib (none named; files beside it)"] = [os.path.relpath(b, ddir) for b in bib]
        second = set(g.get("keys_cited_only_from_second_run") or [])
        gold_counts = {k: v for k, v in g["cite_counts"].items() if k not in second}
        if second:
            notes_applied["cited only from .bib (apart)"] = sorted(second)
        if g.get("embedded_thebibliography"):
            gold_missing = list(g["latex_undefined_citations"])
            notes_applied["missing: latex's answer, not bibtex's"] = len(g["missing_keys"])
        else:
            gold_missing = list(g["missing_keys"])
        yield g["id"], sources, bib, gold_counts, gold_missing, g["notes"], notes_applied, g["backend"] == "biber"


def _through_audit(sources, bib):
    """What a user's `citeaudit check` reports of the same files: (cited keys, nocite keys,
    notes, missing keys). The bibliography is the one the document names itself (YAML
    `bibliography:`, `\\bibliography{}`) where it names one, else the .bib files beside it."""
    import shutil
    import tempfile

    from citeaudit import audit

    main = sources[0].path
    named = any(s.bibliography for s in sources)
    paths = [s.path for s in sources] if sources[0].format == "markdown" else [main]
    with tempfile.TemporaryDirectory() as tmp:
        if sources[0].format == "markdown" and not main.lower().endswith((".md", ".rmd", ".qmd", ".markdown")):
            # pandoc's own test files are named .txt: a user would name them .md
            paths = [shutil.copy(p, os.path.join(tmp, os.path.basename(p) + ".md")) for p in paths]
            bib = [shutil.copy(b, os.path.join(tmp, os.path.basename(b))) for b in bib]
            named = False
        report = audit(paths, None if named else bib)
    return _counts(report)


def _counts(report):
    cited: collections.Counter = collections.Counter()
    nocite: collections.Counter = collections.Counter()
    missing = set()
    notes = 0
    for doc in report.documents:
        for ci, _ii, item, r in report.resolutions.items(doc):
            if item.key is None:
                continue
            cited[item.key] += 1
            if r.status == "unresolved":
                missing.add(item.key)
        for k in doc.nocite:
            nocite[k] += 1
        notes += len({n.number for n in doc.notes})
    return cited, nocite, notes, missing


def evaluate(folder, verbose=False, out=sys.stdout, through_audit=False):
    docs = markdown_documents() if folder == "markdown" else latex_documents()
    rows = []
    tot = collections.Counter()
    misses = []
    for doc_id, sources, bib, gold_counts, gold_missing, gold_notes, applied, case_sensitive in docs:
        cited, nocite, notes = _keys(sources)
        if through_audit:
            cited, nocite, notes, audit_missing = _through_audit(sources, bib)
        if folder == "latex":
            # latex lists \nocite'd keys among the cited ones (\citation, <bcf:citekey>)
            cited = cited + collections.Counter({k: v for k, v in nocite.items() if k != "*"})
        gold_set = set(gold_counts)
        found = set(cited)
        tp = len(found & gold_set)
        mult_tp = sum(min(cited[k], gold_counts[k]) for k in gold_counts)
        bib_keys = _bib_keys(bib)
        if through_audit:
            missing = audit_missing
        elif bib_keys is None:
            missing = set()
        elif case_sensitive:  # biber and pandoc
            missing = {k for k in found if k not in bib_keys}
        else:  # bibtex finds a key whatever its case
            folded = {k.casefold() for k in bib_keys}
            missing = {k for k in found if k.casefold() not in folded}
        gm = set(gold_missing)
        judged = found | gold_set
        agree = sum(1 for k in judged if (k in missing) == (k in gm))
        tot["docs"] += 1
        tot["gold_keys"] += len(gold_set)
        tot["found_keys"] += len(found)
        tot["tp"] += tp
        tot["gold_cites"] += sum(gold_counts.values())
        tot["found_cites"] += sum(cited.values())
        tot["mult_tp"] += mult_tp
        tot["judged"] += len(judged)
        tot["agree"] += agree
        tot["docs_missing_same"] += missing == gm
        tot["gold_missing"] += len(gm)
        tot["found_missing"] += len(missing)
        tot["gold_notes"] += gold_notes
        tot["found_notes"] += notes
        tot["notes_same"] += notes == gold_notes
        tot["nocite"] += sum(nocite.values())
        rows.append((doc_id, len(gold_set), len(found), tp, sum(gold_counts.values()), sum(cited.values()), mult_tp,
                     len(gm), len(missing), missing == gm, gold_notes, notes))
        lost = sorted(gold_set - found)
        extra = sorted(found - gold_set)
        mult = {k: (cited[k], gold_counts[k]) for k in gold_counts if cited[k] != gold_counts[k] and k in found}
        if lost or extra or mult or missing != gm or notes != gold_notes or (verbose and applied):
            misses.append((doc_id, lost, extra, mult, sorted(missing - gm), sorted(gm - missing), notes, gold_notes, applied))
    w = max(len(r[0]) for r in rows)
    print(f"\n## {folder}\n", file=out)
    print(f"{'document':<{w}}  keys gold/found/both  cites gold/found/both  missing gold/found/same  notes gold/found", file=out)
    for r in rows:
        print(f"{r[0]:<{w}}  {r[1]:>4} {r[2]:>5} {r[3]:>5}   {r[4]:>5} {r[5]:>5} {r[6]:>5}   {r[7]:>4} {r[8]:>5} {'yes' if r[9] else 'NO':>4}"
              f"    {r[10]:>4} {r[11]:>5}", file=out)
    figures = summary(tot)
    print(file=out)
    for name, value in figures.items():
        print(f"{name:<44} {value:.4f}" if isinstance(value, float) else f"{name:<44} {value}", file=out)
    if misses and (verbose or True):
        print("\nwhere the reader and the tool differ" + (" (and departures applied)" if verbose else "") + ":", file=out)
        for doc_id, lost, extra, mult, more, fewer, notes, gold_notes, applied in misses:
            parts = []
            if lost:
                parts.append(f"not found {lost}")
            if extra:
                parts.append(f"not cited per the tool {extra}")
            if mult:
                parts.append(f"counts found/gold {mult}")
            if more:
                parts.append(f"missing only here {more}")
            if fewer:
                parts.append(f"missing only per the tool {fewer}")
            if notes != gold_notes:
                parts.append(f"notes {notes} vs {gold_notes}")
            if applied and verbose:
                parts.append(f"applied {applied}")
            if parts:
                print(f"  {doc_id}: " + "; ".join(parts), file=out)
    if folder == "latex" and tot["mult_tp"] < tot["gold_cites"]:
        print("\n" + COUNTS_NOTE, file=out)
    return figures


def summary(tot):
    def ratio(a, b):
        return a / b if b else 1.0
    return {
        "documents": tot["docs"],
        "cited keys recall (unique per document)": ratio(tot["tp"], tot["gold_keys"]),
        "cited keys precision (unique per document)": ratio(tot["tp"], tot["found_keys"]),
        "citations recall (with multiplicity)": ratio(tot["mult_tp"], tot["gold_cites"]),
        "citations precision (with multiplicity)": ratio(tot["mult_tp"], tot["found_cites"]),
        "missing keys: verdicts agreeing (per key)": ratio(tot["agree"], tot["judged"]),
        "missing keys: documents with the same set": ratio(tot["docs_missing_same"], tot["docs"]),
        "missing keys gold / found": f"{tot['gold_missing']} / {tot['found_missing']}",
        "notes: documents with the same count": ratio(tot["notes_same"], tot["docs"]),
        "notes: agreement (1 - |found - gold| / gold)": 1 - abs(tot["found_notes"] - tot["gold_notes"]) / max(tot["gold_notes"], 1),
        "notes found / gold": f"{tot['found_notes']} / {tot['gold_notes']}",
        "nocite citations (counted apart)": tot["nocite"],
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", default=["markdown", "latex"])
    ap.add_argument("-v", "--verbose", action="store_true", help="also list the departures from the gold applied")
    ap.add_argument("--audit", action="store_true", help="through the whole check (citeaudit.audit), as a user runs it")
    a = ap.parse_args(argv)
    for f in a.folders:
        evaluate(f, a.verbose, through_audit=a.audit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
