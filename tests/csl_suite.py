"""Run the CSL processor test suite (../shared/corpus/csl-test-suite/humans) against CSL
processors: pandoc's citeproc (the one citeaudit ships, through pypandoc-binary) and
citeproc-py (the alternative it was measured against).

Each fixture's citations or bibliography is rendered and compared with its RESULT at the
level of text: tags removed, entities decoded, white space collapsed — the same for both
processors, so the comparison between them is fair even where markup conventions differ.
Fixtures whose cite clusters carry positions ("CITATIONS" sections) are not run by either.

    python tests/csl_suite.py [--engine pandoc|citeproc-py|both] [--every N]
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "csl-test-suite" / "humans"
_SECTION = re.compile(r">>=+ (?P<name>[A-Z-]+) =+>>\n(?P<body>.*?)\n<<=+ (?P=name) =+<<", re.S)


def parse(path: Path) -> dict[str, str]:
    return {m.group("name"): m.group("body") for m in _SECTION.finditer(path.read_text(encoding="utf-8"))}


def runnable(fx: dict[str, str]) -> bool:
    return "CITATIONS" not in fx and fx.get("MODE", "").strip() in ("citation", "bibliography") and "INPUT" in fx


def text_of(markup: str) -> str:
    markup = re.sub(r"<[^>]+>", "", markup)
    return " ".join(html.unescape(markup).split())


def clusters(fx: dict[str, str], items: list[dict]) -> list[list[dict]]:
    if "CITATION-ITEMS" in fx:
        return json.loads(fx["CITATION-ITEMS"])
    return [[{"id": it["id"]} for it in items]]


def _in_text(csl: str) -> str:
    """Note-class styles rendered in the text: the fixtures expect the citation itself."""
    return re.sub(r'class="note"', 'class="in-text"', csl, count=1)


# ---------------------------------------------------------------- pandoc


def _pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _pandoc_cite(ci: dict) -> str:
    key = "@{" + str(ci["id"]) + "}"
    if ci.get("suppress-author"):
        key = "-" + key
    text = key
    if ci.get("prefix"):
        text = ci["prefix"].strip() + " " + text
    tail = []
    if ci.get("locator"):
        tail.append(f"{ci.get('label', 'page')} {ci['locator']}")
    if ci.get("suffix"):
        tail.append(ci["suffix"].strip())
    if tail:
        text += ", " + " ".join(tail)
    return text


def render_pandoc(fx: dict[str, str], workdir: Path) -> str:
    items = json.loads(fx["INPUT"])
    (workdir / "style.csl").write_text(_in_text(fx["CSL"]), encoding="utf-8")
    (workdir / "refs.json").write_text(json.dumps(items), encoding="utf-8")
    mode = fx["MODE"].strip()
    if mode == "bibliography":
        doc = "---\nnocite: '@*'\n---\n"
        if "BIBENTRIES" in fx or "BIBSECTION" in fx:
            raise NotImplementedError
    else:
        doc = "\n\n".join("[" + "; ".join(_pandoc_cite(ci) for ci in cluster) + "]" for cluster in clusters(fx, items)) + "\n"
    proc = subprocess.run(
        [_pandoc_path(), "-f", "markdown", "-t", "html", "--citeproc", "--csl", "style.csl", "--bibliography", "refs.json",
         "-M", "suppress-bibliography=" + ("false" if mode == "bibliography" else "true")],
        input=doc, capture_output=True, text=True, cwd=workdir, timeout=60,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[:200])
    out = proc.stdout
    if mode == "bibliography":
        return text_of(out)
    return "\n".join(text_of(p) for p in re.findall(r"<p>(.*?)</p>", out, re.S))


# ---------------------------------------------------------------- citeproc-py


def render_citeproc_py(fx: dict[str, str], workdir: Path) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(fx["INPUT"])
    style_path = workdir / "style.csl"
    style_path.write_text(_in_text(fx["CSL"]), encoding="utf-8")
    style = CitationStylesStyle(str(style_path), validate=False)
    bib = CitationStylesBibliography(style, CiteProcJSON(items), formatter.html)
    cites = []
    for cluster in clusters(fx, items):
        cis = []
        for ci in cluster:
            kw = {}
            if ci.get("locator"):
                kw["locator"] = ci["locator"]
                kw["label"] = ci.get("label", "page")
            if ci.get("prefix"):
                kw["prefix"] = ci["prefix"]
            if ci.get("suffix"):
                kw["suffix"] = ci["suffix"]
            cis.append(CitationItem(str(ci["id"]), **kw))
        cites.append(Citation(cis))
    for c in cites:
        bib.register(c)
    if fx["MODE"].strip() == "bibliography":
        return text_of(" ".join(str(entry) for entry in bib.bibliography()))
    return "\n".join(text_of(str(bib.cite(c, lambda _item: None))) for c in cites)


ENGINES = {"pandoc": render_pandoc, "citeproc-py": render_citeproc_py}


def expected(fx: dict[str, str]) -> str:
    result = fx["RESULT"]
    if fx["MODE"].strip() == "bibliography":
        return text_of(result)
    return "\n".join(text_of(line) for line in result.splitlines() if line.strip())


def run(engine: str, fixtures: list[Path]) -> tuple[Counter, Counter, list[str]]:
    passed, total = Counter(), Counter()
    failures = []
    render = ENGINES[engine]
    with tempfile.TemporaryDirectory() as tmp:
        for path in fixtures:
            fx = parse(path)
            if not runnable(fx):
                continue
            area = path.name.split("_")[0]
            total[area] += 1
            try:
                got = render(fx, Path(tmp))
            except Exception:  # a processor that cannot render a fixture fails it
                failures.append(path.name)
                continue
            if got == expected(fx):
                passed[area] += 1
            else:
                failures.append(path.name)
    return passed, total, failures


def fixtures(every: int = 1) -> list[Path]:
    return sorted(SUITE.glob("*.txt"))[::every] if SUITE.is_dir() else []


def main() -> None:
    every = int(sys.argv[sys.argv.index("--every") + 1]) if "--every" in sys.argv else 1
    engine = sys.argv[sys.argv.index("--engine") + 1] if "--engine" in sys.argv else "both"
    names = list(ENGINES) if engine == "both" else [engine]
    chosen = fixtures(every)
    results = {name: run(name, chosen) for name in names}
    areas = sorted(set().union(*(r[1] for r in results.values())))
    print("| area | fixtures | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for area in areas:
        n = results[names[0]][1][area]
        print(f"| {area} | {n} | " + " | ".join(str(results[e][0][area]) for e in names) + " |")
    total = sum(results[names[0]][1].values())
    print(f"| **all** | **{total}** | " + " | ".join(
        f"**{sum(results[e][0].values())} ({100 * sum(results[e][0].values()) / total:.1f}%)**" for e in names) + " |")


if __name__ == "__main__":
    main()
