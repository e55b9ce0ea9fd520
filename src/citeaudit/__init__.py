"""citeaudit: verify the citations, notes and quotations of scholarly manuscripts.

The public API: ``read_document(path)`` builds the model of one manuscript,
``load_bibliography(paths)`` reads BibTeX, and ``audit(paths, bib_paths)`` runs the
whole check and returns the report.
"""

from __future__ import annotations

import os

from .bibliography import Bibliography, load_bibliography
from .errors import CiteauditError
from .extract import extract
from .model import Document, Report
from .readers import expand_paths, read_source
from .resolve import Index, resolve_document
from .rules import Context, run_rules

__all__ = ["Bibliography", "CiteauditError", "Document", "Report", "audit", "load_bibliography", "read_document"]
__version__ = "0.2.0"


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read and extract one manuscript."""
    return extract(read_source(path))


def audit(
    paths: list[str],
    bib_paths: list[str] | None = None,
    severities: dict[str, str] | None = None,
) -> Report:
    """Extract every manuscript named (folders are searched), resolve its citations against
    the bibliography if one is given, and run the rules."""
    documents = [read_document(p) for p in expand_paths(paths)]
    bib = load_bibliography(bib_paths) if bib_paths else None
    ctx = Context(documents, bib)
    if bib is not None:
        ctx.index = Index.build(bib)
        for doc in documents:
            ctx.resolutions[doc.path] = resolve_document(doc, ctx.index)
    return Report(documents, run_rules(ctx, severities), bibliography=bib)
