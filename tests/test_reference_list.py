"""A manuscript's own typed reference list: found whatever its layout, citations resolved
against it as against a .bib, compared with a .bib where both are given, checked by the list
rules, and exported as a database that BibTeX, biber and the CSL-JSON schema accept.

The reference lists of seed 000 are its bibliography rendered by pandoc's citeproc in
Chicago author-date and APA (tests/fixtures/reference-lists/make.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from citeaudit import audit
from citeaudit.bibliography import fold, load_bibliography

ROOT = Path(__file__).parent.parent
SEED = ROOT / "seeds" / "000_2de16985b8390cf9.txt"
SEED_NOTES = ROOT / "seeds" / "002_deb1812acb52f76b.txt"
BIB = ROOT / "bib" / "seeds.bib"
LISTS = ROOT / "tests" / "fixtures" / "reference-lists"
CORPUS = ROOT.parent / "shared" / "corpus"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "citeaudit", *args], cwd=cwd, capture_output=True, text=True, timeout=180)


def entries(style: str) -> list[str]:
    return [b for b in (LISTS / f"000-{style}.txt").read_text(encoding="utf-8").split("\n\n") if b.strip()]


def with_list(tmp_path: Path, body: str, name: str = "ms.txt") -> Path:
    path = tmp_path / name
    path.write_text(SEED.read_text(encoding="utf-8") + "\n\n" + body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def with_bib():
    return audit([str(SEED)], [str(BIB)])


def _signature(report, r) -> tuple:
    e = report.bibliography.get(r.key)
    return r.status, (e.year, e.title) if e else None, len(r.candidates)


def same_resolutions(a, b) -> list[str]:
    """Citations of two reports of one text that resolved differently: by status, and for a
    resolved citation the work (year and title) it resolved to."""
    da, db = a.documents[0], b.documents[0]
    assert [c.text for c in da.citations] == [c.text for c in db.citations]
    out = []
    for (ci, ii, _it, ra), (_c, _i, _t, rb) in zip(a.resolutions.items(da), b.resolutions.items(db)):
        sa, sb = _signature(a, ra), _signature(b, rb)
        if sa[0] != sb[0] or sa[2] != sb[2]:
            out.append(f"{da.citations[ci].text}: {sa} / {sb}")
        elif sa[1] and (sa[1][0] != sb[1][0] or fuzz.partial_ratio(fold(sa[1][1]), fold(sb[1][1])) < 90):
            out.append(f"{da.citations[ci].text}: {sa} / {sb}")
    return out


def _hanging(blocks: list[str]) -> str:
    return "\n".join(textwrap.fill(b, 72, subsequent_indent="    ", break_on_hyphens=False) for b in blocks)


def _pdf(blocks: list[str]) -> str:
    """PDF text: entries wrapped flush left, a page break with its running page number."""
    lines = [line for b in blocks for line in textwrap.wrap(b, 80, break_on_hyphens=False)]
    half = len(lines) // 2
    return "\n".join(lines[:half] + ["", "31", "\f"] + lines[half:])


def _numbered(blocks: list[str]) -> str:
    return "\n".join(textwrap.fill(f"[{i}] {b}", 78, subsequent_indent="    ", break_on_hyphens=False) for i, b in enumerate(blocks, 1))


LAYOUTS = {
    "blank-line-separated": lambda b: "\n\n".join(b),
    "one-per-line": lambda b: "\n".join(b),
    "hanging-indent": _hanging,
    "pdf-wrapped-over-a-page": _pdf,
    "numbered": _numbered,
}


@pytest.mark.parametrize("style", ["chicago", "apa"])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_typed_list_resolves_the_seed_as_its_bib_does(with_bib, tmp_path, style, layout):
    blocks = entries(style)
    heading = {"numbered": "Bibliography", "pdf-wrapped-over-a-page": "REFERENCES"}.get(layout, "References")
    path = with_list(tmp_path, f"{heading}\n\n{LAYOUTS[layout](blocks)}\n")
    report = audit([str(path)])
    lst = report.lists[str(path)]
    assert len(lst.items) == len(blocks), [it.text[:60] for it in lst.items]
    assert same_resolutions(with_bib, report) == []


@pytest.mark.parametrize("heading", ["Bibliographie", "Literaturverzeichnis", "Referencias bibliográficas",
                                     "Riferimenti bibliografici", "Referências", "Works Cited", "Sources"])
def test_reference_list_headings_in_six_languages(tmp_path, heading):
    blocks = entries("chicago")
    path = with_list(tmp_path, f"{heading}\n\n" + "\n\n".join(blocks) + "\n")
    assert len(audit([str(path)]).lists[str(path)].items) == len(blocks)


def test_what_follows_the_list_is_not_part_of_it(tmp_path):
    blocks = entries("chicago")
    path = with_list(tmp_path, "References\n\n" + "\n\n".join(blocks) + "\n\nAppendix\n\nA table of the congresses.\n")
    items = audit([str(path)]).lists[str(path)].items
    assert len(items) == len(blocks) and "congresses" not in items[-1].text


def test_notes_style_full_reference_resolves_without_a_bib():
    """Seed 002 gives a full reference in a note: it is the work its citation resolves to."""
    a = audit([str(SEED_NOTES)], [str(BIB)])
    b = audit([str(SEED_NOTES)])
    assert b.lists[str(SEED_NOTES)].origin == "note"
    assert same_resolutions(a, b) == []
    assert any(r.status == "resolved" for _c, _i, _t, r in b.resolutions.items(b.documents[0]))


def test_a_work_left_out_of_the_list_is_reported_with_and_without_the_bib(tmp_path):
    blocks = [b for b in entries("chicago") if not b.startswith("Balibar")]
    path = with_list(tmp_path, "References\n\n" + "\n\n".join(blocks) + "\n")
    alone = audit([str(path)])
    balibar = [f for f in alone.findings if f.rule == "unresolved-citation" and "Balibar" in f.message]
    assert balibar and all("reference list" in f.message for f in balibar)
    both = audit([str(path)], [str(BIB)])
    missing = [f for f in both.findings if f.rule == "reference-missing-from-list"]
    assert [m.message.split(" (")[0] for m in missing] == ["Balibar 1977"]
    first_balibar = next(c for c in both.documents[0].citations if "Balibar" in c.text)
    assert missing[0].line == both.documents[0].lines.line(first_balibar.span.start)


def test_a_list_rendered_from_the_bib_does_not_differ_from_it_and_a_changed_one_does(tmp_path):
    blocks = entries("chicago")
    path = with_list(tmp_path, "References\n\n" + "\n\n".join(blocks) + "\n")
    same = audit([str(path)], [str(BIB)])
    assert [f.message for f in same.findings if f.rule in ("reference-differs-from-bib", "reference-missing-from-list")] == []
    changed = [b.replace("Balibar, Étienne. (1976) 1977.", "Balibar, Étienne. (1976) 1978.")
               .replace("Twenty-Second Congress", "Twenty-First Congress") for b in blocks]
    path = with_list(tmp_path, "References\n\n" + "\n\n".join(changed) + "\n", "changed.txt")
    report = audit([str(path)], [str(BIB)])
    differs = sorted(f.message for f in report.findings if f.rule == "reference-differs-from-bib")
    assert len(differs) == 2
    assert "year 1978 (the .bib: 1977)" in differs[1] and "Twenty-First" in differs[0]


def test_list_rules_on_a_list_out_of_order_with_a_duplicate_and_unlettered_years(tmp_path):
    text = (
        "Positions were taken (Althusser 1976; Balibar 1977; Bidet 2008a), and later (Althusser 2017).\n\n"
        "References\n\n"
        "Balibar, Étienne. 1977. On the Dictatorship of the Proletariat. London: NLB.\n"
        "Althusser, Louis. 1976. Positions. Paris: Éditions sociales.\n"
        "Althusser, Louis. 2017. Philosophy for Non-Philosophers. London: Bloomsbury.\n"
        "Althusser, Louis. 2017. How to Be a Marxist in Philosophy. London: Bloomsbury.\n"
        "Bidet, Jacques. 2008a. Critical Companion to Contemporary Marxism. Leiden: Brill.\n"
        "Bidet, Jacques. 2008a. Critical companion to contemporary Marxism. Leiden: Brill.\n"
        "Bonefeld, Werner. Critical Theory and the Critique of Political Economy.\n"
    )
    path = tmp_path / "list.txt"
    path.write_text(text, encoding="utf-8")
    by_rule: dict[str, list[int]] = {}
    for f in audit([str(path)]).findings:
        by_rule.setdefault(f.rule, []).append(f.line)
    assert by_rule["reference-list-order"] == [6]
    assert by_rule["missing-year-suffix"] == [7, 8]
    assert by_rule["duplicate-entry"] == [10]
    assert by_rule["incomplete-reference"] == [11]
    assert by_rule["uncited-entry"] == [11]
    assert by_rule["ambiguous-citation"] == [1, 1]  # Althusser 2017: either work; Bidet 2008a: either entry


def test_one_entry_formatted_unlike_the_rest_is_pointed_out(tmp_path):
    blocks = entries("chicago")
    blocks[3] = blocks[3].replace("Althusser, Louis. 1998.", "Louis Althusser. 1998.")
    path = with_list(tmp_path, "References\n\n" + "\n\n".join(blocks) + "\n")
    odd = [f for f in audit([str(path)]).findings if f.rule == "inconsistent-reference-format"]
    assert [f.line for f in odd] == [audit([str(path)]).lists[str(path)].items[3].line]
    assert "given name first" in odd[0].message


def _export(tmp_path: Path, fmt: str) -> tuple[subprocess.CompletedProcess, Path]:
    path = with_list(tmp_path, "References\n\n" + "\n\n".join(entries("chicago")) + "\n")
    out = tmp_path / f"refs.{'json' if fmt == 'csl-json' else 'bib'}"
    return run("export", "--from", str(path), "--to", fmt, "--out", str(out)), out


def test_export_from_a_manuscript_keys_like_better_bibtex_and_round_trips(tmp_path):
    proc, out = _export(tmp_path, "biblatex")
    assert proc.returncode == 0, proc.stderr
    bib = load_bibliography([str(out)])
    keys = [e.key for e in bib.entries]
    assert "balibar1977dictatorship" in keys and "althusser2017philosophy" in keys and "althusser2017how" in keys
    assert len(keys) == len(set(keys)) == len(entries("chicago"))
    # what the parser was unsure of is said on stderr, and noted in the entry
    unsure = [line for line in proc.stderr.splitlines() if "citeaudit parsed this" in line]
    assert len(unsure) == sum(1 for e in bib.entries if "citeaudit parsed this" in e.fields.get("note", ""))


@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex not installed")
def test_exported_list_compiles_with_bibtex(tmp_path):
    proc, out = _export(tmp_path, "bibtex")
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "main.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plainnat}\n", encoding="utf-8")
    bib = subprocess.run(["bibtex", "main"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    log = (tmp_path / "main.blg").read_text(encoding="utf-8", errors="replace")
    assert bib.returncode == 0 and "error message" not in log, log
    assert (tmp_path / "main.bbl").read_text(encoding="utf-8").count("\\bibitem") == len(entries("chicago"))


@pytest.mark.skipif(shutil.which("biber") is None, reason="biber not installed")
def test_exported_list_validates_with_biber(tmp_path):
    proc, out = _export(tmp_path, "biblatex")
    assert proc.returncode == 0, proc.stderr
    biber = subprocess.run(["biber", "--tool", "--validate-datamodel", out.name], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert biber.returncode == 0, biber.stdout
    assert [line for line in biber.stdout.splitlines() if line.startswith("ERROR")] == []


@pytest.mark.skipif(not (CORPUS / "csl-schema" / "csl-data.json").is_file(), reason="../shared/corpus/csl-schema not present")
def test_exported_list_is_valid_csl_json(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    proc, out = _export(tmp_path, "csl-json")
    assert proc.returncode == 0, proc.stderr
    items = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(items, json.loads((CORPUS / "csl-schema" / "csl-data.json").read_text(encoding="utf-8")))
    assert len(items) == len(entries("chicago")) and all(i.get("title") and i.get("author") for i in items)


def test_export_from_a_manuscript_without_a_list_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("Positions were taken (Althusser 1976).\n", encoding="utf-8")
    proc = run("export", "--from", str(path), "--to", "bibtex")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines()[-1].startswith("citeaudit: ") and "no typed references" in proc.stderr
    assert "Traceback" not in proc.stderr
