"""The command line as a user and a CI job meet it: formats, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "citeaudit", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_json_report_of_the_seeds_follows_the_contract():
    proc = run("check", "seeds/", "--bib", "bib/seeds.bib", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema"] == "citeaudit/report/v1"
    assert [d["path"] for d in report["documents"]] == [f"seeds/{p.name}" for p in sorted((ROOT / "seeds").glob("*.txt"))]
    first = report["documents"][0]["citations"][0]
    assert {"id", "line", "column", "end_line", "end_column", "text", "kind", "note", "items"} <= set(first)
    assert first["text"] == "(Althusser, 2015, pp. 153-154)" and first["line"] == 95
    # end_column is the column of the citation's last character, as in CONTRACT.md
    assert first["end_column"] - first["column"] + 1 == len(first["text"])
    assert set(first["items"][0]) >= {"authors", "year", "suffix", "locator", "pages", "key", "status"}
    assert report["summary"]["documents"] == 4
    assert report["summary"]["citations"] == sum(len(d["citations"]) for d in report["documents"])
    assert first["items"][0]["key"] == "althusser2015barcelona" and first["items"][0]["status"] == "resolved"
    finding = report["findings"][0]
    assert set(finding) >= {"rule", "severity", "path", "line", "column", "message", "fingerprint"}
    assert report["summary"]["findings"]["error"] == sum(f["severity"] == "error" for f in report["findings"]) > 0


def test_report_is_byte_identical_across_runs():
    args = ("check", "seeds/", "--bib", "bib/seeds.bib", "--format", "json")
    assert run(*args).stdout == run(*args).stdout


ALL_FORMATS = ("text", "json", "html", "markdown", "sarif", "junit", "github")


def test_committed_seed_reports_are_up_to_date(tmp_path):
    """What a fresh clone's run of the README's first command writes: everything it reads is
    in the repository (the seeds, bib/seeds.bib and the source text in bib/sources/)."""
    args = ["check", "seeds/", "--bib", "bib/seeds.bib", "--out", str(tmp_path), "--fail-on", "never"]
    for fmt in ALL_FORMATS:
        args += ["--format", fmt]
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in (ROOT / "reports").glob("citeaudit.*"))
    for name in written:
        assert (tmp_path / name).read_text(encoding="utf-8") == (ROOT / "reports" / name).read_text(encoding="utf-8"), (
            f"reports/{name} is stale: run the README's first command"
        )


def test_exit_codes_follow_fail_on():
    base = ("check", "seeds/", "--bib", "bib/seeds.bib", "--format", "json")
    assert run(*base).returncode == 1  # default: fail on errors, and the seeds have some
    assert run(*base, "--fail-on", "never").returncode == 0
    assert run("check", "seeds/001_14b2926651ad8fe5.txt", "--format", "json").returncode == 0  # warnings only
    assert run("check", "seeds/001_14b2926651ad8fe5.txt", "--format", "json", "--fail-on", "warning").returncode == 1


def test_rules_command_lists_every_rule_and_docs_match_the_registry():
    proc = run("rules")
    assert proc.returncode == 0
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    from citeaudit.rules import RULES

    assert names[:3] == ["unresolved-citation", "ambiguous-citation", "page-out-of-range"] and names == list(RULES)
    doc = run("rules", "--format", "markdown").stdout
    assert doc == (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"), "docs/rules.md is stale: citeaudit rules --format markdown > docs/rules.md"


def test_missing_bib_file_is_one_line_and_exit_2():
    proc = run("check", "seeds/", "--bib", "nosuch.bib")
    assert proc.returncode == 2 and proc.stderr == "citeaudit: nosuch.bib: no such bibliography file\n"


def test_text_report_groups_findings_by_rule_with_file_line_and_column():
    proc = run("check", "seeds/000_2de16985b8390cf9.txt", "--bib", "bib/seeds.bib")
    assert proc.returncode == 1  # ambiguous citations are errors
    out = proc.stdout
    assert "75 citations, 75 cited items: 69 resolved, 6 ambiguous, 0 unresolved" in out
    assert "  ambiguous-citation (6 errors)\n    seeds/000_2de16985b8390cf9.txt:476:12: Althusser 2020 could be" in out
    assert "seeds/000_2de16985b8390cf9.txt:146:40: Locator “p. 60-66”: “p.” before a page range" in out


def test_missing_file_is_one_line_and_exit_2():
    proc = run("check", "nosuch.txt")
    assert proc.returncode == 2
    assert proc.stderr == "citeaudit: nosuch.txt: no such file or folder\n"
    assert proc.stdout == ""


def test_binary_file_is_refused_without_traceback(tmp_path):
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"%PDF-1.4\x00\x01\x02binary")
    proc = run("check", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and str(bad) in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_refused(tmp_path):
    bad = tmp_path / "locked.txt"
    bad.write_text("text")
    bad.chmod(0)
    proc = run("check", str(bad))
    assert proc.returncode == 2 and "cannot read" in proc.stderr


def test_bad_option_is_one_line_and_exit_2():
    proc = run("check", "seeds/", "--format", "xml")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "invalid choice" in proc.stderr
    assert proc.stderr.startswith("citeaudit: check: argument --format")
    # an option no command knows: named once, by the program
    proc = run("check", "seeds/", "-f", "json")
    assert proc.returncode == 2
    assert proc.stderr == "citeaudit: unrecognized arguments: -f json (see --help)\n"


def test_out_into_a_missing_folder_writes_nothing(tmp_path):
    proc = run("check", "seeds/", "--format", "json", "--out", str(tmp_path / "no" / "r.json"))
    assert proc.returncode == 2 and not (tmp_path / "no").exists()


def test_input_files_are_never_modified(tmp_path):
    before = {p: p.read_bytes() for p in (ROOT / "seeds").glob("*.txt")}
    run("check", "seeds/", "--format", "json", "--out", str(tmp_path / "r.json"))
    assert {p: p.read_bytes() for p in before} == before


def test_folder_without_manuscripts_is_an_error(tmp_path):
    proc = run("check", str(tmp_path))
    assert proc.returncode == 2 and "no manuscript" in proc.stderr


def test_version_agrees_everywhere():
    """`citeaudit --version`, the SARIF driver and the installed package metadata name one version."""
    from importlib.metadata import version

    installed = version("citeaudit")
    assert run("--version").stdout.strip() == f"citeaudit {installed}"
    sarif = json.loads(run("check", "seeds/002_deb1812acb52f76b.txt", "--format", "sarif").stdout)
    assert sarif["runs"][0]["tool"]["driver"]["version"] == installed


def test_rules_command_explains_one_rule_with_its_examples():
    proc = run("rules", "page-out-of-range")
    assert proc.returncode == 0 and proc.stdout.startswith("## page-out-of-range")
    assert "Fires on:" in proc.stdout and "(Althusser 1977, p. 31)" in proc.stdout and "pages = {3--22}" in proc.stdout
    wrong = run("rules", "page-out-of-rang")
    assert wrong.returncode == 2 and "did you mean page-out-of-range?" in wrong.stderr and "Traceback" not in wrong.stderr


@pytest.mark.parametrize("paths, bib", [(["seeds"], ["bib/seeds.bib"]), (["seeds/002_deb1812acb52f76b.txt"], None),
                                        (["tests/corpora/manuscripts/docx"], None)])  # findings with Word places
def test_the_json_report_made_piece_by_piece_is_the_whole_tree_dumped(paths, bib, tmp_path):
    """The JSON report is written a document and a finding at a time (a thousand manuscripts
    never make one tree of objects): it must be exactly what dumping the whole tree gives,
    and so must a run with nothing to report."""
    from citeaudit import audit
    from citeaudit.report import json_report

    clean = tmp_path / "clean.txt"
    clean.write_text("Nothing is cited here.\n", encoding="utf-8")
    for report in (audit([str(ROOT / p) for p in paths], [str(ROOT / b) for b in bib] if bib else None),
                   audit([str(clean)], None)):
        whole = json.dumps(json_report.report_dict(report), ensure_ascii=False, indent=2) + "\n"
        assert json_report.render(report) == whole
        assert json.loads(whole)["summary"]["documents"] == len(report.documents)
    assert '"findings": []' in json_report.render(report)
