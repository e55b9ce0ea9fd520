"""Small manuscripts written for a test, read the way a user's file would be."""

from __future__ import annotations

from citeaudit.extract import extract
from citeaudit.model import Document
from citeaudit.readers import decode


def doc_of(text: str, path: str = "test.txt") -> Document:
    return extract(decode(text.encode("utf-8"), path))


def cites(text: str) -> list[tuple]:
    """(kind, authors, year+suffix, locator) of every cited item, in order."""
    doc = doc_of(text)
    out = []
    for c in doc.citations:
        for it in c.items:
            out.append((c.kind, it.authors, (it.year or "") + it.suffix if it.year else None, it.locator))
    return out
