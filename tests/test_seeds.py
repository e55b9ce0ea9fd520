"""The extractor against hand annotations of the four seeds: every citation, note, block
quotation and quotation, on the right line, and nothing else."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from citeaudit import read_document

from annotation import load, observed, scores

SEEDS = sorted(p.name for p in (Path(__file__).parent.parent / "seeds").glob("*.txt"))


@pytest.fixture(scope="module", params=SEEDS)
def seed(request):
    name = request.param
    doc = read_document(Path(__file__).parent.parent / "seeds" / name)
    return load(name), observed(doc), doc


def _assert_perfect(kind, expected, found):
    recall, precision, missed, extra = scores(Counter(expected), Counter(found))
    assert (recall, precision) == (1.0, 1.0), f"{kind}: recall {recall:.3f} precision {precision:.3f}\nmissed {missed}\nextra {extra}"


def test_every_citation_found_with_author_year_and_locator(seed):
    ann, obs, _doc = seed
    _assert_perfect("citations", ann.citations, obs.citations)


def test_every_note_paired_with_its_marker(seed):
    ann, obs, _doc = seed
    assert obs.notes == ann.notes


def test_every_block_quotation_found_with_its_citation(seed):
    ann, obs, _doc = seed
    assert obs.blocks == ann.blocks


def test_every_inline_quotation_found_with_its_attribution(seed):
    ann, obs, _doc = seed
    _assert_perfect("quotations", ann.quotes, obs.quotes)


def test_seed_files_are_the_shared_seeds_byte_for_byte():
    shared = Path(__file__).parent.parent.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds not present")
    ours = Path(__file__).parent.parent / "seeds"
    assert sorted(p.name for p in shared.glob("*.txt")) == SEEDS
    for name in SEEDS:
        assert (ours / name).read_bytes() == (shared / name).read_bytes(), name
