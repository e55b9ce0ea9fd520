"""Configuration files and suppression comments, as a maintainer and an author use them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from citeaudit import audit
from citeaudit.config import load_config

ROOT = Path(__file__).parent.parent
BIB = "@book{balibar1977, author = {Balibar, {\\'E}tienne}, title = {On the Dictatorship}, publisher = {NLB}, year = 1977}\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "citeaudit", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def setup(tmp_path: Path, text: str, config: str | None = None, name: str = "citeaudit.toml") -> Path:
    (tmp_path / "ms.txt").write_text(text, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    if config is not None:
        (tmp_path / name).write_text(config, encoding="utf-8")
    return tmp_path


def rules(tmp_path: Path, cfg=None) -> list[str]:
    report = audit([str(tmp_path / "ms.txt")], None, cfg)
    return [f.rule for f in report.findings]


def test_config_gives_bibliography_severities_and_switches_rules_off(tmp_path):
    setup(tmp_path, "As argued (Balibar 1977, p. 3) and (Althuser 2015).\n",
          'bib = ["refs.bib"]\nfail-on = "never"\n[rules]\nunresolved-citation = "warning"\nuncited-entry = "off"\n')
    cfg = load_config(str(tmp_path / "citeaudit.toml"))
    report = audit([str(tmp_path / "ms.txt")], None, cfg)
    assert [(f.rule, f.severity) for f in report.findings] == [("unresolved-citation", "warning")]
    proc = run("check", "ms.txt", cwd=tmp_path)  # found in the current folder
    assert proc.returncode == 0 and "unresolved-citation (1 warning)" in proc.stdout


def test_pyproject_tool_section_is_read(tmp_path):
    setup(tmp_path, "As argued (Althuser 2015).\n", '[project]\nname = "x"\n\n[tool.citeaudit]\nbib = "refs.bib"\n', "pyproject.toml")
    proc = run("check", "ms.txt", cwd=tmp_path)
    assert proc.returncode == 1 and "unresolved-citation" in proc.stdout


def test_unknown_key_is_an_error_naming_file_and_line(tmp_path):
    setup(tmp_path, "Text.\n", '[project]\nname = "x"\n\n[tool.citeaudit]\nbib = "refs.bib"\nfial-on = "error"\n', "pyproject.toml")
    proc = run("check", "ms.txt", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("citeaudit: ") and "pyproject.toml:6: unknown key 'fial-on'" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_unknown_rule_and_bad_style_value_are_errors(tmp_path):
    setup(tmp_path, "Text.\n", '[rules]\nno-such-rule = "off"\n')
    proc = run("check", "ms.txt", cwd=tmp_path)
    assert proc.returncode == 2 and "citeaudit.toml:2: unknown rule 'no-such-rule'" in proc.stderr
    setup(tmp_path, "Text.\n", '[style]\nrange-dash = "em dash"\n')
    proc = run("check", "ms.txt", cwd=tmp_path)
    assert proc.returncode == 2 and "citeaudit.toml:2: style range-dash must be one of" in proc.stderr


def test_invalid_toml_names_the_line(tmp_path):
    setup(tmp_path, "Text.\n", 'bib = ["refs.bib"\nfail-on = 3\n')
    proc = run("check", "ms.txt", cwd=tmp_path)
    assert proc.returncode == 2 and "citeaudit.toml:" in proc.stderr and "not valid TOML" in proc.stderr


def test_house_style_overrides_the_majority(tmp_path):
    text = "One (Balibar 1977, p. 1). Two (Balibar 1977, p. 2). Three (Balibar, 1977, p. 3).\n"
    setup(tmp_path, text, '[style]\nauthor-year-comma = true\n')
    found = audit([str(tmp_path / "ms.txt")], None, load_config(str(tmp_path / "citeaudit.toml"))).findings
    messages = [f.message for f in found if f.rule == "inconsistent-citation-style"]
    assert len(messages) == 2 and all("the house style is a comma between author and year" in m for m in messages)


def test_per_file_ignores(tmp_path):
    setup(tmp_path, "Marx speaks of ‘the huge children’s shoes of the proletariat’ here.\n",
          '[per-file-ignores]\n"ms.txt" = ["unattributed-quotation"]\n')
    assert rules(tmp_path) == ["unattributed-quotation"]
    assert rules(tmp_path, load_config(str(tmp_path / "citeaudit.toml"))) == []


def test_suppression_with_a_reason_covers_the_next_paragraph_only(tmp_path):
    text = (
        '% citeaudit: ignore unattributed-quotation reason="a slogan everybody knows"\n'
        "They shout ‘health is not a commodity at all’ today.\n\n"
        "They also shout ‘health is not a commodity at all’ again.\n"
    )
    setup(tmp_path, text)
    report = audit([str(tmp_path / "ms.txt")])
    assert [(f.rule, f.line) for f in report.findings] == [("unattributed-quotation", 4)]
    assert report.suppressed == 1


def test_markdown_suppression_and_ignore_file(tmp_path):
    text = (
        "<!-- citeaudit: ignore-file unattributed-quotation reason=\"quoted speech\" -->\n\n"
        "They shout ‘health is not a commodity at all’ today.\n\nAnd ‘once more with five words here’.\n"
    )
    setup(tmp_path, text)
    assert rules(tmp_path) == []


def test_unused_or_reasonless_suppressions_are_reported(tmp_path):
    text = (
        "% citeaudit: ignore unresolved-citation\n"
        "A paragraph with nothing to suppress.\n\n"
        '% citeaudit: ignore no-such-rule reason="typo"\n'
        "Another paragraph.\n"
    )
    setup(tmp_path, text)
    report = audit([str(tmp_path / "ms.txt")], [str(tmp_path / "refs.bib")])
    messages = sorted(f.message for f in report.findings if f.rule == "unused-suppression")
    assert any("gives no reason" in m for m in messages)
    assert any("suppresses nothing" in m and "unresolved-citation" in m for m in messages)
    assert any("unknown rule(s): no-such-rule" in m for m in messages)
    lines = sorted({f.line for f in report.findings if f.rule == "unused-suppression"})
    assert lines == [1, 4]


def test_suppression_comment_is_not_read_as_manuscript_text(tmp_path):
    setup(tmp_path, '% citeaudit: ignore unresolved-citation reason="forthcoming (Smith 2030)"\nText (Smith 2031).\n')
    report = audit([str(tmp_path / "ms.txt")])
    assert [c.text for c in report.documents[0].citations] == ["(Smith 2031)"]


def test_suppressions_are_found_on_their_own_lines_in_a_windows_file(tmp_path):
    text = (
        "A first paragraph (Smith 2031).\r\n\r\n"
        "A second one.\r\n\r\n"
        "  % citeaudit: ignore unattributed-quotation reason=\"a slogan\"\r\n"
        "They shout ‘health is not a commodity at all’ today.\r\n\r\n"
        "They shout ‘health is not a commodity at all’ again.\r\n\r\n"
        "% citeaudit: ignore unresolved-citation\r\n"
        "Once more (Smith 2031).\r\n"
    )
    setup(tmp_path, text)
    report = audit([str(tmp_path / "ms.txt")], [str(tmp_path / "refs.bib")])
    found = [(f.rule, f.line) for f in report.findings if f.rule != "uncited-entry"]
    # line 5 covers line 6's quotation, not line 8's; line 10 (no reason) covers line 11
    assert found == [("unresolved-citation", 1), ("unattributed-quotation", 8), ("unused-suppression", 10)]
    assert report.suppressed == 2
