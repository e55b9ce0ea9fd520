"""Every rule's documented examples are real manuscripts, and they do what the
documentation says: the `bad` one makes the rule fire, the `good` one keeps it silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from citeaudit import audit
from citeaudit.rules import RULES
from citeaudit.rules.registry import Example


def run_example(tmp_path: Path, example: Example):
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
    return audit(paths, bib, sources=str(sources) if sources else None).findings


@pytest.mark.parametrize("name", list(RULES))
def test_bad_example_fires_the_rule(tmp_path, name):
    fired = [f for f in run_example(tmp_path, RULES[name].bad) if f.rule == name]
    assert fired, f"{name}: its 'bad' example does not fire it"


@pytest.mark.parametrize("name", list(RULES))
def test_good_example_keeps_the_rule_silent(tmp_path, name):
    fired = [f.message for f in run_example(tmp_path, RULES[name].good) if f.rule == name]
    assert fired == [], f"{name}: its 'good' example fires it"


@pytest.mark.parametrize("name", list(RULES))
def test_every_rule_explains_itself(name):
    r = RULES[name]
    assert r.summary and r.explanation, f"{name} has no explanation (the docstring of its check)"
