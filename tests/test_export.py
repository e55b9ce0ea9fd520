"""Exported bibliographies, checked by the programs that read them: BibTeX and biber,
the CSL-JSON schema, citation-js's expected mappings, citeproc-js, and the CSL test suite."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from citeaudit.bibliography import load_bibliography
from citeaudit.export import render, select
from citeaudit.export.csljson import to_csl
from citeaudit.export.styled import bibliography_blocks, pandoc, style_path

ROOT = Path(__file__).parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SEEDS_BIB = ROOT / "bib" / "seeds.bib"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "citeaudit", *args], cwd=ROOT, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def seeds():
    return load_bibliography([SEEDS_BIB])


def test_bibtex_round_trips_and_is_ascii(seeds, tmp_path):
    for flavour in ("biblatex", "bibtex"):
        out, _notes = render(seeds.entries, flavour)
        assert out.isascii()
        path = tmp_path / f"{flavour}.bib"
        path.write_text(out, encoding="utf-8")
        again = {e.key: e for e in load_bibliography([path]).entries}
        for e in seeds.entries:
            back = again[e.key]
            assert back.type == e.type and back.authors == e.authors
            moved = flavour == "bibtex" and e.type in ("book", "inbook") and e.authors and e.editors
            for name, value in e.fields.items():
                if name == "yearsuffix" or (moved and name == "note"):
                    continue
                if name == "year" and flavour == "bibtex" and back.fields["year"] == value + e.suffix:
                    continue  # the letter BibTeX's styles print as written (test_year_letters_agree...)
                assert back.fields.get(name) == value, (flavour, e.key, name)
            if moved:
                assert back.editors == () and back.fields["note"].startswith("Edited by")
            else:
                assert back.editors == e.editors


def test_latex_specials_and_accents_are_escaped(tmp_path):
    src = tmp_path / "in.bib"
    src.write_text("@book{x, author = {Balibar, Étienne}, title = {50% of Marx & Engels}, publisher = {Lawrence \\& Wishart}, year = 1977}\n", encoding="utf-8")
    out, _notes = render(load_bibliography([src]).entries, "biblatex")
    assert "{\\'E}tienne" in out and "50\\% of Marx \\& Engels" in out and "Lawrence \\& Wishart" in out and "\\\\&" not in out


@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex not installed (apt-get install texlive-binaries texlive-base)")
def test_exported_bibtex_compiles_with_bibtex_without_warnings(tmp_path):
    proc = run("export", "--bib", str(SEEDS_BIB), "--to", "bibtex", "--out", str(tmp_path / "refs.bib"))
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "main.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n", encoding="utf-8")
    bib = subprocess.run(["bibtex", "main"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    log = (tmp_path / "main.blg").read_text(encoding="utf-8", errors="replace")
    assert bib.returncode == 0 and "Warning" not in log and "error" not in log.lower(), log
    assert (tmp_path / "main.bbl").read_text(encoding="utf-8").count("\\bibitem") == len(load_bibliography([SEEDS_BIB]).entries)


@pytest.mark.skipif(shutil.which("biber") is None, reason="biber not installed (apt-get install biber)")
def test_exported_biblatex_validates_with_biber_without_warnings(tmp_path):
    proc = run("export", "--bib", str(SEEDS_BIB), "--to", "biblatex", "--out", str(tmp_path / "refs.bib"))
    assert proc.returncode == 0, proc.stderr
    biber = subprocess.run(["biber", "--tool", "--validate-datamodel", "refs.bib"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert biber.returncode == 0
    problems = [line for line in biber.stdout.splitlines() if line.startswith(("WARN", "ERROR"))]
    assert problems == []


@pytest.mark.skipif(not (CORPUS / "csl-schema" / "csl-data.json").is_file(), reason="../shared/corpus/csl-schema not present")
def test_csl_json_of_every_entry_validates_against_the_schema(seeds):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((CORPUS / "csl-schema" / "csl-data.json").read_text(encoding="utf-8"))
    jsonschema.validate([to_csl(e) for e in seeds.entries], schema)
    examples = CORPUS / "bibtex" / "biblatex-examples" / "biblatex-examples.bib"
    if examples.is_file():
        jsonschema.validate([to_csl(e) for e in load_bibliography([examples]).entries], schema)


def test_csl_json_mapping_of_names_dates_and_containers(seeds):
    items = {e.key: to_csl(e) for e in seeds.entries}
    assert items["loiacono2015terni"]["author"] == [{"family": "Lo Iacono", "given": "Cristian"}]
    assert items["cse1976labour"]["author"] == [{"literal": "Conference of Socialist Economists"}]
    assert items["balibar1977dictatorship"]["original-date"] == {"date-parts": [[1976]]}
    assert items["balibar1977dictatorship"]["translator"] == [{"family": "Lock", "given": "Grahame"}]
    assert items["althusser2015barcelona"]["container-title"] == "Historical Materialism"
    assert items["althusser2015barcelona"]["page"] == "152-178" and items["althusser1978crisis"]["issued"] == {"date-parts": [[1978, 7]]}


@pytest.mark.skipif(not (CORPUS / "bibtex" / "citation-js-plugin-bibtex").is_dir(), reason="citation-js fixtures not present")
def test_agreement_with_citation_js_expected_csl_json():
    base = CORPUS / "bibtex" / "citation-js-plugin-bibtex" / "mapping"
    agree = total = 0
    for kind in ("bibtex", "biblatex"):
        expected = {x["id"]: x for x in json.loads((base / f"{kind}-csl.json").read_text(encoding="utf-8"))}
        ours = {e.key: to_csl(e) for e in load_bibliography([base / f"{kind}-input.bib"]).entries}
        for key, item in expected.items():
            for field, value in item.items():
                total += 1
                agree += ours.get(key, {}).get(field) == value
    assert total > 500 and agree / total >= 0.97  # docs/csl.md lists each difference and why


def test_chicago_bibliography_of_the_seeds(seeds):
    text, _notes = render(select(seeds, None), "text", "chicago-author-date")
    lines = text.strip().split("\n\n")
    assert len(lines) == len(seeds.entries)
    # the original dates tell the two 2017 books apart, so the style gives them no letters
    assert "Althusser, Louis. (1977) 2017. Philosophy for Non-Philosophers. Translated by G. M. Goshgarian. Bloomsbury Academic." in lines
    assert "Althusser, Louis. (1976) 2017. How to Be a Marxist in Philosophy. Translated by G. M. Goshgarian. Bloomsbury Academic." in lines
    assert "Althusser, Louis. 2020. History and Imperialism: Writings, 1963–1986. Edited and translated by G. M. Goshgarian. Polity." in lines
    assert "Lo Iacono, Cristian. 2015. “Althusser at Terni, April 1980.”" in lines
    assert "Althusser, Louis. (1976) 2015. “Conference on the Dictatorship of the Proletariat in Barcelona.” Historical Materialism 23 (1): 152–78." in lines


def test_apa_and_mla_and_markdown_and_html(seeds):
    entries = select(seeds, None)
    apa, _notes = render(entries, "markdown", "apa")
    assert "Althusser, L. (2015). Conference on the Dictatorship of the Proletariat in Barcelona. *Historical Materialism*, *23*(1), 152–178." in apa
    mla, _notes = render(entries, "html", "mla")
    assert mla.startswith('<div class="csl-bib-body"') and "<em>Historical Materialism</em>" in mla
    assert "2017a" not in mla  # MLA is author-title: no year letters


def test_raw_html_in_a_title_stays_text_in_markdown_and_html(tmp_path):
    src = tmp_path / "in.bib"
    src.write_text("@book{x, author = {Smith, Ann}, title = {On <script>alert(1)</script> & *Stars*}, publisher = {P}, year = 2001}\n",
                   encoding="utf-8")
    entries = load_bibliography([src]).entries
    markdown, _ = render(entries, "markdown", "chicago-author-date")
    html_out, _ = render(entries, "html", "chicago-author-date")
    assert "<script>" not in markdown.lower() and "\\<Script\\>" in markdown
    assert "<script>" not in html_out.lower() and "&lt;Script&gt;" in html_out


def _pandoc_plain(csl_json: str, style: str, tmp_path: Path) -> str:
    (tmp_path / "items.json").write_text(csl_json, encoding="utf-8")
    proc = subprocess.run([pandoc(), "-f", "markdown", "-t", "plain", "--wrap=none", "--citeproc", "--csl", style_path(style),
                           "--bibliography", str(tmp_path / "items.json")], input="---\nnocite: '@*'\n---\n",
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("style", ["chicago-author-date", "apa", "harvard-cite-them-right"])
def test_styled_text_is_pandocs_own_rendering_of_the_exported_csl_json(tmp_path, style):
    csl_json = run("export", "--bib", str(SEEDS_BIB), "--to", "csl-json").stdout
    ours = run("export", "--bib", str(SEEDS_BIB), "--to", "text", "--style", style)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == _pandoc_plain(csl_json, style, tmp_path)


def test_a_style_that_letters_against_the_manuscripts_is_said():
    proc = run("export", "--bib", str(SEEDS_BIB), "--to", "text", "--style", "harvard-cite-them-right")
    assert proc.returncode == 0
    assert "Philosophy for Non-Philosophers as 2017b; the manuscripts cite it as 2017a" in proc.stderr


def _bbl_letters_bibtex(bbl: str) -> dict[str, str]:
    """natbib's labels: "Althusser(2017a)" written by the .bib, "Althusser(2020{\\natexlab{a}})" by the style."""
    out = {}
    for m in re.finditer(r"\\bibitem\[[^\]]*?\(\d{4}(?:\{\\natexlab\{([a-z])\}\}|([a-z]?))\)\]\{([^}]+)\}", bbl):
        out[m.group(3)] = m.group(1) or m.group(2)
    return out


def _bbl_letters_biber(bbl: str) -> dict[str, str]:
    out = {}
    for m in re.finditer(r"\\entry\{([^}]+)\}.*?\\endentry", bbl, re.S):
        n = re.search(r"\\field\{extradate\}\{(\d+)\}", m.group())
        out[m.group(1)] = chr(96 + int(n.group(1))) if n else ""
    return out


def _latex(tmp_path: Path, name: str, source: str, backend: str) -> str:
    (tmp_path / f"{name}.tex").write_text(source, encoding="utf-8")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", f"{name}.tex"], cwd=tmp_path, capture_output=True, timeout=180)
    subprocess.run([backend, name], cwd=tmp_path, capture_output=True, timeout=180)
    return (tmp_path / f"{name}.bbl").read_text(encoding="utf-8")


@pytest.mark.skipif(not all(shutil.which(t) for t in ("pdflatex", "bibtex", "biber")),
                    reason="LaTeX, bibtex or biber not installed (.ci/run installs them)")
def test_year_letters_agree_in_bibtex_biber_pandoc_and_citeaudit(seeds, tmp_path):
    lettered = {e.key: e.suffix for e in seeds.entries if e.suffix}
    assert {"althusser2017philosophy": "a", "althusser2017marxist": "b"}.items() <= lettered.items()
    cites = ",".join(lettered)
    assert run("export", "--bib", str(SEEDS_BIB), "--to", "bibtex", "--out", str(tmp_path / "classic.bib")).returncode == 0
    natbib = _bbl_letters_bibtex(_latex(tmp_path, "natbib", (
        "\\documentclass{article}\\usepackage{natbib}\\begin{document}\\citet{" + cites + "}"
        "\\bibliographystyle{plainnat}\\bibliography{classic}\\end{document}\n"), "bibtex"))
    assert run("export", "--bib", str(SEEDS_BIB), "--to", "biblatex", "--out", str(tmp_path / "modern.bib")).returncode == 0
    biber = _bbl_letters_biber(_latex(tmp_path, "modern", (
        "\\documentclass{article}\\usepackage[style=authoryear,backend=biber]{biblatex}\\addbibresource{modern.bib}"
        "\\begin{document}\\cite{" + cites + "}\\printbibliography\\end{document}\n"), "biber"))
    for key, letter in lettered.items():
        assert natbib.get(key) == letter, ("bibtex", key, natbib.get(key))
        assert biber.get(key) == letter, ("biber", key, biber.get(key))
    # pandoc, in the styles whose citations carry letters: where it prints one, it is the same
    for style in ("chicago-author-date", "apa"):
        text, _notes = render(select(seeds, None), "text", style)
        for line in text.split("\n\n"):
            for key, letter in lettered.items():
                e = seeds.by_key()[key]
                if e.title in line:
                    shown = re.findall(rf"\b{e.year}([a-z])\b", line)
                    assert shown in ([], [letter]), (style, key, shown)


NODE = shutil.which("node")
NODE_MODULES = os.environ.get("CITEAUDIT_NODE_MODULES")


@pytest.mark.skipif(NODE is None or not NODE_MODULES, reason="citeproc-js not installed (CITEAUDIT_NODE_MODULES; .ci/run installs it)")
def test_pandoc_citeproc_agrees_with_citeproc_js_on_the_seeds(seeds, tmp_path):
    locale = CORPUS / "csl-locales" / "locales-en-US.xml"
    if not locale.is_file():
        pytest.skip("../shared/corpus/csl-locales not present")
    entries = select(seeds, None)
    (tmp_path / "items.json").write_text(json.dumps([to_csl(e) for e in entries]), encoding="utf-8")
    proc = subprocess.run(
        [NODE, str(ROOT / "tests" / "js" / "render_citeproc_js.js"), str(tmp_path / "items.json"),
         style_path("chicago-author-date"), str(locale)],
        capture_output=True, text=True, env=dict(os.environ, NODE_PATH=NODE_MODULES), timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    theirs = json.loads(proc.stdout)
    text, _notes = render(entries, "text", "chicago-author-date")
    ours = dict(zip([k for k, _b in bibliography_blocks(entries, "chicago-author-date")], text.strip().split("\n\n")))
    assert ours == {k: theirs.get(k) for k in ours}


@pytest.mark.skipif(not (CORPUS / "csl-test-suite" / "humans").is_dir(), reason="../shared/corpus/csl-test-suite not present")
def test_the_shipped_csl_processor_passes_the_test_suite_sample():
    import csl_suite

    passed, total, _failures = csl_suite.run("pandoc", csl_suite.fixtures(every=5))
    n = sum(total.values())
    assert n > 150 and sum(passed.values()) / n >= 0.75  # 77.5 % on this sample, 82.9 % on the whole suite: docs/csl.md


def test_export_command_cited_only_stubs_and_errors(tmp_path):
    ms = tmp_path / "ms.txt"
    ms.write_text("As argued (Balibar, 1977, p. 3) and (Althuser, 2099, p. 4).\n", encoding="utf-8")
    proc = run("export", "--bib", str(SEEDS_BIB), "--cited-in", str(ms), "--to", "csl-json")
    assert proc.returncode == 0 and [i["id"] for i in json.loads(proc.stdout)] == ["balibar1977dictatorship"]
    proc = run("export", "--bib", str(SEEDS_BIB), "--cited-in", str(ms), "--stubs")
    assert proc.stdout.startswith("@misc{althuser2099,") and f"Cited at {ms}:1 (Althuser, 2099, p. 4)" in proc.stdout
    ris = run("export", "--bib", str(SEEDS_BIB), "--to", "ris").stdout
    assert "TY  - JOUR\nID  - althusser1977congress" in ris and "SP  - 3\nEP  - 22" in ris
    bad = run("export", "--bib", str(SEEDS_BIB), "--to", "text", "--style", "no-such-style")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "unknown CSL style" in bad.stderr


def test_citations_as_the_style_writes_them():
    proc = run("export", "--bib", str(SEEDS_BIB), "--cited-in", "seeds/000_2de16985b8390cf9.txt", "--citations")
    lines = proc.stdout.splitlines()
    assert "seeds/000_2de16985b8390cf9.txt:95: (Althusser, 2015, pp. 153-154) → (Althusser [1976] 2015, 153–54)" in lines
    assert "seeds/000_2de16985b8390cf9.txt:1041: (Althusser 2017a, p. 125-126) → (Althusser [1977] 2017, 125–26)" in lines
    assert "seeds/000_2de16985b8390cf9.txt:1736: (Lo Iacono 2015) → (Lo Iacono 2015)" in lines
    # ambiguous citations have no key: they are not formatted
    assert not any(line.startswith("seeds/000_2de16985b8390cf9.txt:476:") for line in lines)


def test_a_second_export_reads_the_parsed_bib_from_the_cache_until_the_bib_changes(tmp_path, monkeypatch):
    import citeaudit.bibliography.read as read
    from citeaudit.cli import main

    bib = tmp_path / "refs.bib"
    shutil.copy(SEEDS_BIB, bib)
    parsed = []
    load = read._load
    monkeypatch.setattr(read, "_load", lambda paths: parsed.append(paths) or load(paths))
    args = ["export", "--bib", str(bib), "--to", "csl-json", "--cache", str(tmp_path / "cache")]

    def export(out: str) -> str:
        assert main([*args, "--out", str(tmp_path / out)]) == 0
        return (tmp_path / out).read_text(encoding="utf-8")

    first = export("a.json")
    assert export("b.json") == first and len(parsed) == 1  # the second from the cache
    assert main(["export", "--bib", str(bib), "--to", "csl-json", "--no-cache", "--out", str(tmp_path / "c.json")]) == 0
    assert (tmp_path / "c.json").read_text(encoding="utf-8") == first and len(parsed) == 2
    with bib.open("a", encoding="utf-8") as fh:
        fh.write("\n@book{fresh2026, author = {Nobody, Ann}, title = {A Fresh Book}, publisher = {P}, year = 2026}\n")
    changed = export("d.json")
    assert len(parsed) == 3 and "A Fresh Book" in changed and "A Fresh Book" not in first
