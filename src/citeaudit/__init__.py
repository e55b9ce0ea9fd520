"""citeaudit: verify the citations, notes and quotations of scholarly manuscripts.

The public API: ``read_document(path)`` builds the model of one manuscript,
``load_bibliography(paths)`` reads BibTeX, and ``audit(paths, bib_paths)`` runs the
whole check and returns the report.

The names are looked up when first used (PEP 562): importing the package, or its command
line, loads no more than the run needs (a run whose report is in the cache needs neither
the extraction grammar nor the rules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .bibliography import Bibliography, load_bibliography
    from .config import Config, load_config
    from .errors import CiteauditError
    from .model import Document, Report
    from .pipeline import audit, known_names, load_baseline, read_document

__all__ = [
    "Bibliography", "CiteauditError", "Config", "Document", "Report", "__version__", "audit", "known_names",
    "load_baseline", "load_bibliography", "load_config", "read_document",
]

#: Where each name lives: the public API, and the pipeline's stages the command line uses.
#: Any other name is not looked for (so `from citeaudit import export` imports the
#: submodule, and nothing else).
_HOME = {
    "Bibliography": "bibliography", "load_bibliography": "bibliography", "Config": "config", "load_config": "config",
    "CiteauditError": "errors", "Document": "model", "Report": "model",
    **dict.fromkeys(("audit", "known_names", "load_baseline", "read_document", "read_lists", "read_manuscripts",
                     "extract_all", "verify_bibliography", "verify_online"), "pipeline"),
}


def __getattr__(name: str) -> Any:
    from importlib import import_module

    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value
