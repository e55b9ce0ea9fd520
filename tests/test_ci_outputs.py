"""The report in the forms CI tools read: SARIF valid against the official 2.1.0 schema,
JUnit that a JUnit reader parses, GitHub annotations, Markdown; --out DIR; baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from citeaudit.rules import RULES

ROOT = Path(__file__).parent.parent
SARIF_SCHEMA = ROOT.parent / "shared" / "corpus" / "sarif" / "sarif-schema-2.1.0.json"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "citeaudit", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def seeds(fmt: str, *extra: str) -> str:
    proc = run("check", "seeds/", "--bib", "bib/seeds.bib", "--format", fmt, "--fail-on", "never", *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason="../shared/corpus/sarif not present")
def test_sarif_validates_against_the_official_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    sarif = json.loads(seeds("sarif"))
    jsonschema.validate(sarif, schema)
    run0 = sarif["runs"][0]
    assert run0["tool"]["driver"]["name"] == "citeaudit" and len(run0["tool"]["driver"]["rules"]) == len(RULES)
    first = run0["results"][0]
    region = first["locations"][0]["physicalLocation"]["region"]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("seeds/")
    assert region["startLine"] >= 1 and first["partialFingerprints"]["citeaudit/v1"]
    rules = {r["id"]: r for r in run0["tool"]["driver"]["rules"]}
    assert rules["ambiguous-citation"]["defaultConfiguration"]["level"] == "error"
    assert rules["uncited-entry"]["defaultConfiguration"]["level"] == "note"


def test_junit_parses_with_a_junit_reader_one_case_per_file(tmp_path):
    junitparser = pytest.importorskip("junitparser")
    path = tmp_path / "r.xml"
    path.write_text(seeds("junit"), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    names = [c.name for c in cases]
    assert names[:4] == [f"seeds/{p.name}" for p in sorted((ROOT / "seeds").glob("*.txt"))]
    failed = {c.name for c in cases if not c.is_passed}
    assert "seeds/000_2de16985b8390cf9.txt" in failed


def test_github_annotations_escape_and_point_at_lines():
    out = seeds("github").splitlines()
    assert out[0].startswith("::warning file=seeds/000_2de16985b8390cf9.txt,line=101,col=59,title=citeaudit unbalanced-quotes::")
    assert any(line.startswith("::error ") and "ambiguous-citation" in line for line in out)
    assert all("\n" not in line for line in out)


def test_markdown_summary_and_escaped_cells():
    md = seeds("markdown")
    assert md.startswith("## citeaudit report")
    assert "| 4 | 80 | 74/80 | 6 |" in md
    assert "`ambiguous-citation`" in md


def test_out_dir_writes_every_format_and_refuses_a_missing_folder(tmp_path):
    proc = run("check", "seeds/", "--format", "json", "--format", "sarif", "--out", str(tmp_path), "--fail-on", "never")
    assert proc.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["citeaudit.json", "citeaudit.sarif"]
    missing = tmp_path / "nope"
    proc = run("check", "seeds/", "--format", "json", "--format", "text", "--out", str(missing) + "/")
    assert proc.returncode == 2 and not missing.exists()
    proc = run("check", "seeds/", "--format", "json", "--format", "text")
    assert proc.returncode == 2 and "need --out DIR" in proc.stderr


def test_baseline_after_an_unrelated_edit_reports_no_new_finding(tmp_path):
    ms = tmp_path / "ms.txt"
    original = (ROOT / "seeds" / "000_2de16985b8390cf9.txt").read_text(encoding="utf-8")
    ms.write_text(original, encoding="utf-8")
    base = tmp_path / "baseline.json"
    proc = run("baseline", str(ms), "--bib", "bib/seeds.bib", "--out", str(base))
    assert proc.returncode == 0, proc.stderr
    known = json.loads(base.read_text(encoding="utf-8"))["findings"]
    assert len(known) > 20
    # an unrelated edit: a new opening paragraph shifts every line
    ms.write_text("A new opening paragraph added in revision.\n\n \n\n" + original, encoding="utf-8")
    proc = run("check", str(ms), "--bib", "bib/seeds.bib", "--format", "json", "--baseline", str(base))
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["findings"] == [] and report["summary"]["baselined"] == len(known)
    # a new problem is reported, and only it
    ms.write_text(original + "\n\nA new claim (Althuser, 2015, p. 3).\n", encoding="utf-8")
    proc = run("check", str(ms), "--bib", "bib/seeds.bib", "--format", "json", "--baseline", str(base))
    new = json.loads(proc.stdout)["findings"]
    assert [f["rule"] for f in new] == ["unresolved-citation"] and proc.returncode == 1


def test_baseline_that_is_not_a_report_is_refused(tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("{\n  not json", encoding="utf-8")
    proc = run("check", "seeds/", "--baseline", str(bad))
    assert proc.returncode == 2 and proc.stderr.startswith(f"citeaudit: {bad}:2: not a JSON report")


def test_text_report_is_coloured_only_when_asked_or_on_a_terminal():
    plain = run("check", "seeds/001_14b2926651ad8fe5.txt").stdout
    coloured = run("check", "seeds/001_14b2926651ad8fe5.txt", "--color", "always").stdout
    assert "\033[" not in plain and "\033[33m" in coloured
    assert "^^^^" in plain  # the quotation is underlined under its line


def test_nothing_is_written_when_one_of_the_reports_cannot_be(tmp_path):
    (tmp_path / "citeaudit.sarif").mkdir()  # the SARIF file's place is taken by a folder
    proc = run("check", "seeds/", "--format", "json", "--format", "sarif", "--out", str(tmp_path))
    assert proc.returncode == 2 and "citeaudit.sarif" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["citeaudit.sarif"]


def _workflow_step(name: str) -> str:
    """The `run:` script of a step of docs/github-workflow.yml."""
    lines = (ROOT / "docs" / "github-workflow.yml").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- name: {name}")
    run = next(i for i in range(start, len(lines)) if lines[i].strip() == "run: |")
    indent = len(lines[run + 1]) - len(lines[run + 1].lstrip())
    body = []
    for line in lines[run + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break
        body.append(line[indent:])
    return "\n".join(body) + "\n"


def test_the_github_workflow_prints_annotations_when_there_are_findings(tmp_path):
    """GitHub runs a step's script with `bash -e`: findings (exit 1) must still reach the
    annotations and the summary, and the step must still fail."""
    script = _workflow_step("Check citations")
    (tmp_path / "manuscripts").mkdir()
    (tmp_path / "manuscripts" / "ms.txt").write_text("As argued (Althuser, 2015, p. 154).\n", encoding="utf-8")
    (tmp_path / "references.bib").write_text(
        "@article{a, author = {Althusser, Louis}, title = {T}, journal = {J}, year = 2015}\n", encoding="utf-8")
    (tmp_path / "citeaudit-baseline.json").write_text('{"schema": "citeaudit/report/v1", "findings": []}', encoding="utf-8")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "citeaudit").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m citeaudit "$@"\n', encoding="utf-8")
    (bindir / "citeaudit").chmod(0o755)
    summary = tmp_path / "summary.md"
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "::error file=manuscripts/ms.txt,line=1" in proc.stdout
    assert "citeaudit report" in summary.read_text(encoding="utf-8")
