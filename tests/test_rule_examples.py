"""Every rule's documented examples are real manuscripts, and they do what the
documentation says: the `bad` one makes the rule fire, the `good` one keeps it silent."""

from __future__ import annotations

from pathlib import Path

import pytest

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from citeaudit import audit
from citeaudit.online import RULES as ONLINE_RULES
from citeaudit.online import OnlineConfig
from citeaudit.rules import RULES
from citeaudit.rules.registry import Example


@contextlib.contextmanager
def registry(answers: dict[str, str]):
    """A real HTTP server on loopback that answers as a registry: the example's bodies at
    their paths (JSON, or anything else as a broken page), 404 "Resource not found." elsewhere."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            path = unquote(self.path.split("?")[0]).lower()  # DOIs are case-insensitive
            body = answers.get(path)
            status, kind = (200, "application/json" if body.startswith("{") else "text/html") if body is not None \
                else (404, "text/plain")
            data = (body if body is not None else "Resource not found.").encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        yield OnlineConfig(crossref_url=url, datacite_url=url, openlibrary_url=url, cache_dir=None, retries=0, rate=0)
    finally:
        server.shutdown()
        server.server_close()


def run_example(tmp_path: Path, example: Example, online: bool = False):
    paths = []
    for name, text in example.manuscripts():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    bib = None
    if example.bib:
        (tmp_path / "refs.bib").write_text(example.bib, encoding="utf-8")
        bib = [str(tmp_path / "refs.bib")]
    sources = None
    if example.sources:
        sources = tmp_path / "sources"
        sources.mkdir()
        for key, text in example.sources:
            (sources / f"{key}.txt").write_text(text, encoding="utf-8")
    if not online:
        return audit(paths, bib, sources=str(sources) if sources else None).findings
    with registry({path.lower(): body for path, body in example.registry}) as config:
        return audit(paths, bib, sources=str(sources) if sources else None, online=config).findings


@pytest.mark.parametrize("name", list(RULES))
def test_bad_example_fires_the_rule(tmp_path, name):
    fired = [f for f in run_example(tmp_path, RULES[name].bad, name in ONLINE_RULES) if f.rule == name]
    assert fired, f"{name}: its 'bad' example does not fire it"


@pytest.mark.parametrize("name", list(RULES))
def test_good_example_keeps_the_rule_silent(tmp_path, name):
    fired = [f.message for f in run_example(tmp_path, RULES[name].good, name in ONLINE_RULES) if f.rule == name]
    assert fired == [], f"{name}: its 'good' example fires it"


@pytest.mark.parametrize("name", list(RULES))
def test_every_rule_explains_itself(name):
    r = RULES[name]
    assert r.summary and r.explanation, f"{name} has no explanation (the docstring of its check)"
