"""The same check on one core, on a pool of worker processes, and on a real Dask cluster (a
`dask scheduler` and two `dask worker` processes on loopback): byte-identical reports; and
the cache a CI job keeps between revisions."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citeaudit import audit
from citeaudit.cache import Cache
from citeaudit.report import json_report

ROOT = Path(__file__).parent.parent
SEEDS = ROOT / "seeds"
BIB = ROOT / "bib" / "seeds.bib"
BIN = Path(sys.executable).parent


def _report(**kw) -> str:
    return json_report.render(audit([str(SEEDS)], [str(BIB)], sources=None, **kw))


@pytest.fixture(scope="module")
def serial() -> str:
    return _report(jobs=1)


def test_a_pool_of_workers_writes_the_same_report(serial):
    assert _report(jobs=2) == serial


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    pytest.importorskip("distributed")
    if not (BIN / "dask").exists():
        pytest.skip("the dask command is not installed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    work = tmp_path_factory.mktemp("dask")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), DASK_DISTRIBUTED__WORKER__DAEMON="False")
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        for n in range(2):
            procs.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1",
                                           "--no-dashboard", "--name", f"w{n}", "--local-directory", str(work)],
                                          cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_a_dask_cluster_writes_the_same_report(serial, cluster):
    assert _report(scheduler=cluster) == serial


def test_a_dask_cluster_searches_the_quotations_too(serial, cluster, monkeypatch):
    """The source texts and the manuscripts as units on the cluster's workers (the seeds are
    small enough to be searched here otherwise)."""
    import citeaudit.quotes as quotes

    monkeypatch.setattr(quotes, "PARALLEL_MIN_CHARS", 0)
    assert _report(scheduler=cluster) == serial


def test_the_command_line_takes_the_scheduler_from_the_environment(serial, cluster, tmp_path):
    env = dict(os.environ, DASK_SCHEDULER_ADDRESS=cluster)
    proc = subprocess.run([sys.executable, "-m", "citeaudit", "check", str(SEEDS), "--bib", str(BIB), "--format", "json",
                           "--fail-on", "never", "--no-cache"], capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == serial.replace(str(SEEDS), str(SEEDS))


def test_an_unreachable_scheduler_is_one_line_and_exit_2():
    port = _free_port()
    proc = subprocess.run([sys.executable, "-m", "citeaudit", "check", str(SEEDS), "--scheduler", f"tcp://127.0.0.1:{port}",
                           "--no-cache"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "Dask scheduler" in proc.stderr and proc.stderr.count("\n") == 1


def test_a_second_run_reads_only_what_changed(tmp_path, serial, monkeypatch):
    import citeaudit.quotes as quotes

    folder = tmp_path / "book"
    shutil.copytree(SEEDS, folder)
    cache = tmp_path / "cache"
    first = Cache(str(cache))
    json_report.render(audit([str(folder)], [str(BIB)], cache=first), first.text_memo(json_report.PARTS))
    assert first.misses == first.hits == 0 or first.hits == 0
    one = folder / "001_14b2926651ad8fe5.txt"
    one.write_text(one.read_text(encoding="utf-8") + "\nA new paragraph (Althusser 1978).\n", encoding="utf-8")
    searched, sources = [], []
    search, search_source = quotes.search_manuscript, quotes.search_source
    monkeypatch.setattr(quotes, "search_manuscript", lambda unit, shared: searched.append(unit) or search(unit, shared))
    monkeypatch.setattr(quotes, "search_source", lambda unit, shared: sources.append(unit) or search_source(unit, shared))
    second = Cache(str(cache))
    report = audit([str(folder)], [str(BIB)], cache=second)
    # the bibliography, its names as indexed, and what the rules about it alone said; and
    # three of the four manuscripts read, extracted, resolved, checked
    # by the per-document rules and searched for the others' quotations (with the set of
    # wordings they were searched for, one entry for all), from the cache: only the changed
    # one is searched again; and the source text at hand, searched for the quotations that
    # cite it and for those its citation missed, is not read at all
    assert second.hits == 1 + 1 + 1 + 3 + 3 + 3 + 3 + 3 + 1 + 2
    assert [u.text for u in searched] == [d.text for d in report.documents if "A new paragraph" in d.text]
    assert sources == []
    fresh = json_report.render(audit([str(folder)], [str(BIB)]))
    assert json_report.render(report) == fresh
    # the JSON report: the unchanged manuscripts' parts as the first run wrote them
    before = second.hits
    assert json_report.render(report, second.text_memo(json_report.PARTS)) == fresh
    assert second.hits - before == 3


def test_a_new_quotation_is_looked_for_in_the_manuscripts_that_did_not_change(tmp_path, monkeypatch):
    import citeaudit.quotes as quotes

    folder = tmp_path / "book"
    shutil.copytree(SEEDS, folder)
    cache = tmp_path / "cache"
    first = Cache(str(cache))
    json_report.render(audit([str(folder)], [str(BIB)], cache=first), first.text_memo(json_report.PARTS))
    # seed 002 quotes a sentence of seed 003 that no manuscript quoted before
    three = (folder / "003_03805af8fcc790d0.txt").read_text(encoding="utf-8")
    sentence = " ".join(three.split()[400:416])
    two = folder / "002_deb1812acb52f76b.txt"
    two.write_text(two.read_text(encoding="utf-8") + f"\nAs was said, “{sentence}” (Marx 1852).\n", encoding="utf-8")
    searched = []
    search = quotes.search_manuscript
    monkeypatch.setattr(quotes, "search_manuscript", lambda unit, shared: searched.append(unit) or search(unit, shared))
    second = Cache(str(cache))
    report = audit([str(folder)], [str(BIB)], cache=second)
    # the changed manuscript searched again; of the unchanged ones, those that have three
    # words of the new wording in a row, for the new wording only (seed 003 holds it): the
    # others cannot hold it, and their shingle prints, kept by the first run, say so
    from citeaudit.quotes.textnorm import words

    def shingles(text):
        forms = [w for w, _s, _e in words(text)]
        return set(zip(forms, forms[1:], forms[2:]))

    assert sum(u.only is None for u in searched) == 1
    assert all(len(u.only) == 1 for u in searched if u.only is not None)
    new = shingles(sentence)
    texts = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    sharing = {name for name, text in texts.items() if name != two.name and new & shingles(text)}
    assert "003_03805af8fcc790d0.txt" in sharing and len(sharing) < 3
    assert sorted(u.text for u in searched if u.only is not None) == sorted(texts[name] for name in sharing)
    fresh = json_report.render(audit([str(folder)], [str(BIB)]))
    assert json_report.render(report) == fresh
    before = second.hits  # the JSON report: only seed 002's part is new (003 has no quotation there)
    assert json_report.render(report, second.text_memo(json_report.PARTS)) == fresh
    assert second.hits - before == 3
    two_doc = next(d for d in report.documents if d.path.endswith("002_deb1812acb52f76b.txt"))
    qi = next(i for i, q in enumerate(two_doc.quotations) if q.text.startswith(sentence[:20]))
    assert any(x.other.endswith("003_03805af8fcc790d0.txt") for x in report.quotes.also(two_doc.path, qi))


def test_a_manuscripts_part_of_the_json_report_is_made_again_when_another_quotes_its_quotation(tmp_path):
    folder = tmp_path / "book"
    shutil.copytree(SEEDS, folder)
    cache = tmp_path / "cache"
    first = Cache(str(cache))
    before = audit([str(folder)], [str(BIB)], cache=first)
    json_report.render(before, first.text_memo(json_report.PARTS))
    two = folder / "002_deb1812acb52f76b.txt"
    three = next(d for d in before.documents if d.path.endswith("003_03805af8fcc790d0.txt"))
    quoted = next(q for q in three.quotations if len(q.text.split()) >= 10 and q.text not in two.read_text(encoding="utf-8"))
    two.write_text(two.read_text(encoding="utf-8") + f"\nAs was said, “{quoted.text}” (Marx 1852).\n", encoding="utf-8")
    second = Cache(str(cache))
    report = audit([str(folder)], [str(BIB)], cache=second)
    hits = second.hits
    written = json_report.render(report, second.text_memo(json_report.PARTS))
    assert written == json_report.render(audit([str(folder)], [str(BIB)]))
    assert second.hits - hits == 2  # seeds 000 and 001; 002 changed, 003 is quoted by it
    part = json.loads(written)["documents"][[d.path for d in report.documents].index(three.path)]
    assert any(x["path"] == str(two) for q in part["quotations"] for x in q["also"])


def test_the_kept_findings_follow_the_house_style_and_the_bibliography(tmp_path):
    """What the rules said of an unchanged manuscript is kept only for the same house style
    and the same bibliography: change either, and the report is a fresh run's."""
    from citeaudit.config import Config

    folder = tmp_path / "book"
    shutil.copytree(SEEDS, folder)
    bib = tmp_path / "refs.bib"
    bib.write_bytes(BIB.read_bytes())
    cache = str(tmp_path / "cache")
    plain = audit([str(folder)], [str(bib)], cache=Cache(cache))
    house = Config(style={"author-year-comma": False})
    styled = audit([str(folder)], [str(bib)], config=house, cache=Cache(cache))
    assert json_report.render(styled) == json_report.render(audit([str(folder)], [str(bib)], config=house))
    def style(report):
        return [f.message for f in report.findings if f.rule == "inconsistent-citation-style"]

    assert any("the house style is no comma" in m for m in style(styled)) and style(styled) != style(plain)
    # a year changed in the .bib: the citations of that work no longer resolve; and an entry
    # added without its title: what the rules say of the .bib alone is said again
    text = bib.read_text(encoding="utf-8")
    bib.write_text(re.sub(r"year( *)= \{2015\}", r"year\1= {2016}", text) + "\n@book{untitled2020, author = {Nobody, A.},"
                   " publisher = {P}, year = 2020}\n", encoding="utf-8")
    again = audit([str(folder)], [str(bib)], cache=Cache(cache))
    assert json_report.render(again) == json_report.render(audit([str(folder)], [str(bib)]))
    assert any(f.rule == "missing-field" and "untitled2020" in f.message for f in again.findings)
    assert len([f for f in again.findings if f.rule == "unresolved-citation"]) > \
        len([f for f in plain.findings if f.rule == "unresolved-citation"])


def test_a_broken_cache_entry_is_made_again(tmp_path):
    cache = tmp_path / "cache"
    audit([str(SEEDS / "002_deb1812acb52f76b.txt")], [str(BIB)], cache=Cache(str(cache)))
    for entry in (cache / "check").iterdir():
        entry.write_bytes(b"not a pickle")
    again = Cache(str(cache))
    report = audit([str(SEEDS / "002_deb1812acb52f76b.txt")], [str(BIB)], cache=again)
    assert again.hits == 0 and report.documents[0].citations


def test_a_changed_source_text_is_searched_again(tmp_path, monkeypatch):
    """The cache knows a source text by its file: edit it, and the quotations that cite it are
    looked up in it again (the report is what a run without the cache writes)."""
    import citeaudit.quotes as quotes

    bib = tmp_path / "bib"
    shutil.copytree(BIB.parent, bib)
    cache = tmp_path / "cache"
    seed = SEEDS / "003_03805af8fcc790d0.txt"
    first = audit([str(seed)], [str(bib / "seeds.bib")], cache=Cache(str(cache)))
    text = bib / "sources" / "marx1852brumaire.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("their stage effects outbid one another", "their dramatic effects outdo each other"),
                    encoding="utf-8")
    sources = []
    search_source = quotes.search_source
    monkeypatch.setattr(quotes, "search_source", lambda unit, shared: sources.append(unit.path) or search_source(unit, shared))
    again = audit([str(seed)], [str(bib / "seeds.bib")], cache=Cache(str(cache)))
    assert str(text) in sources
    assert json_report.render(again) == json_report.render(audit([str(seed)], [str(bib / "seeds.bib")]))
    assert json_report.render(again) != json_report.render(first)


def test_what_the_cache_keeps_and_the_workers_send_comes_back_whole():
    """The model's frozen dataclasses pickle through their own quick state (citeaudit.frozen):
    every field comes back, those left out of comparisons too."""
    import dataclasses
    import pickle

    from citeaudit import load_bibliography, read_document

    def fields(value):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]

    doc = read_document(SEEDS / "000_2de16985b8390cf9.txt")
    bib = load_bibliography([BIB])
    for value in (doc, bib, doc.citations[0], doc.citations[0].span, bib.entries[0], bib.entries[0].authors[0],
                  audit([str(SEEDS / "000_2de16985b8390cf9.txt")], [str(BIB)]).findings[0]):
        back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is type(value) and back == value
        for mine, theirs in zip(fields(back), fields(value)):
            assert mine == theirs or type(mine).__name__ == "LineIndex"  # compared below, by what it answers
    assert pickle.loads(pickle.dumps(doc)).lines.line_col(5000) == doc.lines.line_col(5000)
    assert pickle.loads(pickle.dumps(bib)).get(bib.entries[3].key) == bib.entries[3]


def test_the_names_kept_with_the_bibliography_find_what_the_names_made_afresh_find(tmp_path):
    """A bibliography's names and titles are kept in the cache as indexed (the automaton
    pickled whole): loaded, they find the same names in every seed and stand for the same
    extraction key."""
    import pickle

    from citeaudit import load_bibliography
    from citeaudit.extract.known import KnownNames
    from citeaudit.pipeline import _known_names, known_names

    bib = load_bibliography([BIB])
    fresh = known_names(bib)
    _known_names(bib, "bib-test", Cache(str(tmp_path)))  # made, and kept
    cache = Cache(str(tmp_path))
    kept = _known_names(bib, "bib-test", cache)
    assert cache.hits == 1 and isinstance(kept, KnownNames) and kept is not fresh
    assert pickle.dumps(kept) == pickle.dumps(fresh) and kept.keys == fresh.keys and kept.joined == fresh.joined
    found = []
    for seed in sorted(SEEDS.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        assert kept.find(text) == fresh.find(text)
        found += kept.find(text)
    assert len(found) > 10


def _square_of(n: int) -> list[int]:
    return [n * n, os.getpid()]


def _fails(n: int) -> int:
    if os.getpid() != n:
        raise ValueError("only in the child")
    return -1


def test_work_started_ahead_comes_back_from_a_child_or_is_done_here():
    from citeaudit.ahead import Ahead

    with Ahead(_square_of, 12) as job:
        assert job.pid is not None and job.pid != os.getpid()
        square, pid = job.result()
    assert square == 144 and pid != os.getpid()  # worked out in the child
    with Ahead(_fails, os.getpid()) as job:  # it fails in the child: done here instead
        assert job.result() == -1
    with Ahead(_square_of, 3, fork=False) as job:
        assert job.result() == [9, os.getpid()]
    job = Ahead(time.sleep, 60)  # a run that stops before it wants the answer: the child is stopped
    pid = job.pid
    job.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped


def test_the_rules_about_a_large_bibliography_worked_out_ahead_give_the_same_report(serial, monkeypatch):
    import citeaudit.ahead as ahead

    started = []

    class Recorded(ahead.Ahead):
        def _start(self) -> None:
            super()._start()
            started.append(self.pid)

    monkeypatch.setattr(ahead, "MIN_ENTRIES", 1)  # the seeds' .bib counts as large
    monkeypatch.setattr(ahead, "Ahead", Recorded)
    assert _report(jobs=2) == serial
    assert len(started) == 1 and started[0] is not None
    started.clear()
    assert _report(jobs=1) == serial and started == []  # one job: nothing forked
