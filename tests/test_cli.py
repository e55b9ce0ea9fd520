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
    proc = run("check", "seeds/", "--format", "json")
    assert proc.returncode == 0, proc.stderr
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


def test_report_is_byte_identical_across_runs():
    assert run("check", "seeds/", "--format", "json").stdout == run("check", "seeds/", "--format", "json").stdout


def test_committed_seed_report_is_up_to_date(tmp_path):
    out = tmp_path / "seeds.json"
    assert run("check", "seeds/", "--format", "json", "--out", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8") == (ROOT / "reports" / "seeds.json").read_text(encoding="utf-8"), (
        "reports/seeds.json is stale: run the README's first command"
    )


def test_text_report_names_file_line_and_column():
    proc = run("check", "seeds/003_03805af8fcc790d0.txt")
    assert proc.returncode == 0
    assert "seeds/003_03805af8fcc790d0.txt:387:68: ibid citation '(ibid.)'" in proc.stdout


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
