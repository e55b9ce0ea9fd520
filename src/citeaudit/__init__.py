"""citeaudit: verify the citations, notes and quotations of scholarly manuscripts.

The public API: ``read_document(path)`` builds the model of one manuscript and
``audit(paths)`` the report of several.
"""

from __future__ import annotations

import os

from .errors import CiteauditError
from .extract import extract
from .model import Document, Report
from .readers import expand_paths, read_source

__all__ = ["CiteauditError", "Document", "Report", "audit", "read_document"]
__version__ = "0.1.0"


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read and extract one manuscript."""
    return extract(read_source(path))


def audit(paths: list[str]) -> Report:
    """Extract every manuscript named (folders are searched) and gather the report."""
    return Report([read_document(p) for p in expand_paths(paths)])
