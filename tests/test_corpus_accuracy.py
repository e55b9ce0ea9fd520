"""Recall and precision on citations marked by others (JATS xref bibr, GROBID's TEI).

The figures are in docs/accuracy.md; these floors sit a little under them so that a
change that loses citations on real articles fails here. The corpus is read from
../shared/corpus and the tests skip when it is absent."""

from __future__ import annotations

import pytest

import corpus

pytestmark = pytest.mark.skipif(not corpus.CORPUS.is_dir(), reason="../shared/corpus not present")

FLOORS = {
    # collection: (recall, precision against the marks)
    "jats (eLife, Ubiquity)": (0.99, 0.96),
    "jats-scielo (humanities)": (0.95, 0.78),
    "grobid fulltext TEI (PDF text)": (0.96, 0.85),
}


@pytest.mark.parametrize("collection", sorted(FLOORS))
def test_marked_citations_are_found(collection):
    total, _files = corpus.measure(collection)
    recall_floor, precision_floor = FLOORS[collection]
    assert total.gold > 100
    assert total.recall >= recall_floor, f"recall {total.recall:.3f}; missed e.g. {[m for _f, s in _files for m in s.misses][:10]}"
    assert total.precision >= precision_floor, f"precision {total.precision:.3f}"
    # a citation on a mark has the year of the mark
    assert total.year_agrees >= 0.99 * total.correct


def test_marked_sentences_of_scicite_and_acl_arc():
    hits, total = corpus.scicite_recall()
    assert total >= 10 and hits >= total - 1
