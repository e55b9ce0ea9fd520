"""Measure the extractor against citations marked by others: JATS articles (xref bibr) and
GROBID's hand-marked PDF text (ref type="biblio").

Each article body becomes plain text with the character spans of its marked call-outs;
the extractor runs on the text, and a marked call-out counts as found when a citation
item overlaps it. Run ``python tests/corpus.py`` to print the table of docs/accuracy.md.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))

from citeaudit.extract import extract  # noqa: E402
from citeaudit.readers import decode  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

_BLOCK = {
    "p", "title", "sec", "caption", "list-item", "td", "th", "label", "disp-quote", "fn", "table-wrap",
    "fig", "head", "div", "note", "abstract", "boxed-text", "def-item", "statement", "list",
}
_SKIP = {"ref-list", "table", "disp-formula", "inline-formula", "math", "tex-math", "graphic", "media",
         "object-id", "supplementary-material", "ack", "fig", "table-wrap"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class Article:
    name: str
    text: str
    gold: list[tuple[int, int]]  # spans of marked call-outs in text


def _flatten(elem, out: list[str], gold: list[tuple[int, int]], is_gold, pos: list[int]) -> None:
    tag = _local(elem.tag)
    if tag in _SKIP:
        if elem.tail:
            _emit(elem.tail, out, pos)
        return
    block = tag in _BLOCK
    if block:
        _emit("\n\n", out, pos)
    if tag == "lb":
        _emit("\n", out, pos)
    start = pos[0]
    if elem.text:
        _emit(elem.text, out, pos)
    for child in elem:
        _flatten(child, out, gold, is_gold, pos)
    if is_gold(elem):
        gold.append((start, pos[0]))
    if block:
        _emit("\n\n", out, pos)
    if elem.tail:
        _emit(elem.tail, out, pos)


def _emit(s: str, out: list[str], pos: list[int]) -> None:
    out.append(s)
    pos[0] += len(s)


def jats_article(path: Path) -> Article:
    root = ET.parse(path).getroot()
    parts = [e for e in root.iter() if _local(e.tag) in ("body", "fn-group")]
    out: list[str] = []
    gold: list[tuple[int, int]] = []
    pos = [0]

    def is_gold(e):
        return _local(e.tag) == "xref" and e.get("ref-type") == "bibr"

    for part in parts:
        _flatten(part, out, gold, is_gold, pos)
        _emit("\n\n", out, pos)
    return Article(path.name, "".join(out), gold)


def tei_article(path: Path) -> Article:
    root = ET.parse(path).getroot()
    body = next((e for e in root.iter() if _local(e.tag) == "body"), root)
    out: list[str] = []
    gold: list[tuple[int, int]] = []
    pos = [0]

    def is_gold(e):
        return _local(e.tag) == "ref" and e.get("type") == "biblio"

    _flatten(body, out, gold, is_gold, pos)
    return Article(path.name, "".join(out), gold)


@dataclass
class Score:
    gold: int = 0
    found: int = 0  # marked call-outs overlapped by an extracted citation
    predicted: int = 0  # extracted author-date citations
    correct: int = 0  # extracted citations that overlap a marked call-out
    items: int = 0  # cited items in the extracted citations
    year_agrees: int = 0  # correct citations whose first year appears in a call-out they overlap
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for name in ("gold", "found", "predicted", "correct", "items", "year_agrees"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0


_AUTHOR_DATE_KINDS = {"parenthetical", "narrative"}


def score(article: Article) -> Score:
    """Overlap scoring, as GROBID's call-out evaluation does: annotators mark a whole
    cluster "(A 1990; B 1991)" or each call-out in it, so spans are compared by overlap."""
    doc = extract(decode(article.text.encode("utf-8"), article.name))
    s = Score(gold=len(article.gold))
    hit: set[int] = set()
    for c in doc.citations:
        if c.kind not in _AUTHOR_DATE_KINDS:
            continue
        s.predicted += 1
        s.items += len(c.items)
        overlapping = [i for i, (a, b) in enumerate(article.gold) if a < c.span.end and c.span.start < b]
        if overlapping:
            s.correct += 1
            hit.update(overlapping)
            year = c.items[0].year or ""
            if any(year in article.text[a : b + 12] for a, b in (article.gold[i] for i in overlapping)):
                s.year_agrees += 1
        else:
            s.extras.append(c.text)
    s.found = len(hit)
    for i, (a, b) in enumerate(article.gold):
        if i not in hit:
            s.misses.append(" ".join(article.text[max(0, a - 30) : b + 15].split()))
    return s


COLLECTIONS = {
    "jats (eLife, Ubiquity)": ("jats", "*.xml", jats_article),
    "jats-scielo (humanities)": ("jats-scielo", "*.xml", jats_article),
    "grobid fulltext TEI (PDF text)": ("intext-citations/grobid-fulltext-tei", "*.xml", tei_article),
}


def measure(collection: str) -> tuple[Score, list[tuple[str, Score]]]:
    folder, pattern, reader = COLLECTIONS[collection]
    total = Score()
    per_file = []
    for path in sorted((CORPUS / folder).glob(pattern)):
        s = score(reader(path))
        total.add(s)
        per_file.append((path.name, s))
    return total, per_file


def scicite_recall() -> tuple[int, int]:
    """SciCite and ACL-ARC sentences: is the one marked call-out overlapped by a citation?"""
    hits = total = 0
    folder = CORPUS / "intext-citations" / "scicite-samples"
    for line in (folder / "scicite-train.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        start, end = int(row["citeStart"]), int(row["citeEnd"])
        if not re.search(r"\d{4}", row["string"][start:end]):
            continue  # numeric call-outs are out of scope
        total += 1
        doc = extract(decode(row["string"].encode("utf-8"), "s.txt"))
        hits += any(c.span.start < end and start < c.span.end for c in doc.citations)
    for line in (folder / "aclarc-train.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        start, end = row["cite_marker_offset"]
        text = row["text"]
        if not re.search(r"\d{4}", text[start:end]):
            continue
        total += 1
        doc = extract(decode(text.encode("utf-8"), "a.txt"))
        hits += any(c.span.start < end and start < c.span.end for c in doc.citations)
    return hits, total


def main() -> None:
    print("| collection | marked call-outs | found | recall | extracted citations | on a mark | precision | year agrees |")
    print("|---|---|---|---|---|---|---|---|")
    for name in COLLECTIONS:
        total, _ = measure(name)
        print(
            f"| {name} | {total.gold} | {total.found} | {total.recall:.3f} | {total.predicted} | "
            f"{total.correct} | {total.precision:.3f} | {total.year_agrees}/{total.correct} |"
        )
    hits, n = scicite_recall()
    print(f"\nSciCite + ACL-ARC marked author-date call-outs overlapped: {hits}/{n}")
    if "-v" in sys.argv:
        for name in COLLECTIONS:
            _, files = measure(name)
            for fname, s in files:
                for m in s.misses[:8]:
                    print("MISS", fname, "|", m)
                for e in s.extras[:8]:
                    print("EXTRA", fname, "|", e)


if __name__ == "__main__":
    main()
