"""The HTML report in a real headless Chromium (Debian's, driven by Playwright): it loads
with no console errors, the filters hide and show findings, and a <script> planted in a
manuscript stays inert text."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("CITEAUDIT_REQUIRE_BROWSER") == "1"

if CHROMIUM is None:
    if REQUIRED:
        raise RuntimeError("CITEAUDIT_REQUIRE_BROWSER=1 but no chromium on PATH")
    pytest.skip("no chromium on this machine (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def make_report(tmp_path: Path, text: str | None = None) -> Path:
    args = ["seeds/000_2de16985b8390cf9.txt", "--bib", "bib/seeds.bib"]
    if text is not None:
        ms = tmp_path / "planted.txt"
        ms.write_text(text, encoding="utf-8")
        args = [str(ms)]
    out = tmp_path / "report.html"
    proc = subprocess.run(
        [sys.executable, "-m", "citeaudit", "check", *args, "--format", "html", "--out", str(out), "--fail-on", "never"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def open_page(browser, path: Path, errors: list, requests: list):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def test_seed_report_loads_without_errors_and_filters_work(browser, tmp_path):
    errors: list = []
    requests: list = []
    page = open_page(browser, make_report(tmp_path), errors, requests)
    assert errors == []
    assert all(u.startswith("file://") for u in requests), "the report must fetch nothing"
    rows = page.locator("table.findings tbody tr")
    total = rows.count()
    assert total > 20
    assert page.locator("#shown").inner_text() == f"{total} findings shown"
    warnings = page.locator('table.findings tr[data-severity="warning"]').count()
    page.uncheck('#filters input[data-kind="severity"][value="warning"]')
    assert page.locator("table.findings tbody tr:not(.hidden)").count() == total - warnings
    assert page.locator('tr[data-severity="warning"]').first.is_hidden()
    page.check('#filters input[data-kind="severity"][value="warning"]')
    page.uncheck('#filters input[data-kind="rule"][value="ambiguous-citation"]')
    assert page.locator('tr[data-rule="ambiguous-citation"]:not(.hidden)').count() == 0
    assert page.locator('tr[data-rule="malformed-locator"]:not(.hidden)').count() == 2
    # citations are highlighted by status and linked to their entries
    assert page.locator("pre.manuscript a.cite.ambiguous[id]").count() == 6
    assert page.locator("pre.manuscript a.cite.resolved[id]").count() == 69
    assert page.locator('a.cite[href="#bib-althusser2015barcelona"]').count() > 30
    # a note marker links to its note, and back
    assert page.locator('a.marker[href="#d1-n1"]').count() == 1 and page.locator('#d1-n1 a[href="#d1-m1"]').count() == 1
    page.check('#filters input[data-kind="rule"][value="ambiguous-citation"]')
    page.uncheck('#filters input[data-kind="rule"][value="inconsistent-citation-style"]')
    page.screenshot(path=str(tmp_path / "report.png"))
    if os.environ.get("CITEAUDIT_SCREENSHOT"):
        shutil.copy(tmp_path / "report.png", os.environ["CITEAUDIT_SCREENSHOT"])
    assert errors == []


def test_planted_markup_in_a_manuscript_stays_inert_text(browser, tmp_path):
    planted = (
        'He wrote <script>window.pwned = 1;</script> and <img src=x onerror="window.pwned = 2"> '
        '‘a quotation of five words <b>bold</b>’ (Smith, 2001, p. 3) "quoted" & more.\n'
    )
    errors: list = []
    requests: list = []
    page = open_page(browser, make_report(tmp_path, planted), errors, requests)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("pre.manuscript script, pre.manuscript img, pre.manuscript b").count() == 0
    text = page.locator("pre.manuscript").inner_text()
    assert "<script>window.pwned = 1;</script>" in text and '<img src=x onerror="window.pwned = 2">' in text
    assert all(u.startswith("file://") for u in requests)
    assert errors == []
