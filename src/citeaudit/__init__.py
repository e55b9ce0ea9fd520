"""citeaudit: verify the citations, notes and quotations of scholarly manuscripts.

The public API: ``read_document(path)`` builds the model of one manuscript,
``load_bibliography(paths)`` reads BibTeX, and ``audit(paths, bib_paths)`` runs the
whole check and returns the report.
"""

from __future__ import annotations

import json
import os
from importlib import metadata as _metadata

from .bibliography import Bibliography, load_bibliography
from .config import Config, load_config
from .errors import CiteauditError
from .extract import extract
from .extract.known import KnownNames, iter_name_forms
from .model import Document, Report, Resolutions
from .quotes import check_quotations
from .readers import expand_paths, read_bytes, read_source
from .resolve import Index, resolve_document
from .rules import RULES, Context, run_rules
from .suppress import parse_suppressions

__all__ = [
    "Bibliography", "CiteauditError", "Config", "Document", "Report", "audit", "load_baseline",
    "load_bibliography", "load_config", "read_document",
]
try:
    __version__ = _metadata.version("citeaudit")
except _metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"


def read_document(path: str | os.PathLike[str], known: KnownNames | None = None) -> Document:
    """Read and extract one manuscript; `known` (from `known_names(bibliography)`) makes
    the names and titles of a bibliography recognisable in it."""
    return extract(read_source(path), known)


def known_names(bib: Bibliography) -> KnownNames:
    """The names and main titles of a bibliography's works, for extraction."""
    names: list[str] = []
    titles: list[str] = []
    for e in bib.entries:
        for n in (*e.authors, *e.editors):
            names.extend(iter_name_forms(n.surname, n.last, n.literal))
        for field_name in ("shortauthor", "shorteditor"):
            if e.fields.get(field_name):
                names.append(e.fields[field_name])
        for raw in (e.title, e.fields.get("shorttitle", "")):
            main = raw.split(":")[0].split(". ")[0].strip()
            if main:
                titles.append(main)
    return KnownNames(names, titles)


def load_baseline(path: str) -> set[str]:
    """The fingerprints of the findings of an earlier JSON report."""
    raw = read_bytes(path, "no such baseline file", "is a folder, not a baseline file")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CiteauditError("not valid UTF-8: not a citeaudit JSON report", path, raw[: exc.start].count(b"\n") + 1) from None
    except json.JSONDecodeError as exc:
        raise CiteauditError(f"not a JSON report: {exc.msg}", path, exc.lineno) from None
    except RecursionError:
        raise CiteauditError("not a JSON report: nested too deeply", path) from None
    if not isinstance(data, dict) or data.get("schema") != "citeaudit/report/v1":
        raise CiteauditError("not a citeaudit JSON report (schema citeaudit/report/v1)", path)
    findings = data.get("findings", [])
    if not isinstance(findings, list):
        raise CiteauditError("not a citeaudit JSON report: \"findings\" is not a list", path)
    prints = set()
    for i, f in enumerate(findings):
        if not isinstance(f, dict) or not isinstance(f.get("fingerprint"), str):
            raise CiteauditError(f"not a citeaudit JSON report: finding {i + 1} has no fingerprint string", path)
        prints.add(f["fingerprint"])
    return prints


def audit(
    paths: list[str],
    bib_paths: list[str] | None = None,
    config: Config | None = None,
    baseline: set[str] | None = None,
    progress=None,
    sources: str | None = None,
) -> Report:
    """Extract every manuscript named (folders are searched), resolve its citations against
    the bibliography if one is given, run the rules, and leave out what the configuration,
    the manuscripts' suppression comments and the baseline say to leave out."""
    config = config or Config()
    files = [p for p in expand_paths(paths) if not config.excluded(p)]
    bib_paths = bib_paths or config.bib
    bib = load_bibliography(bib_paths) if bib_paths else None
    known = known_names(bib) if bib is not None else None
    documents = []
    for i, path in enumerate(files, 1):
        documents.append(read_document(path, known))
        if progress is not None and len(files) > 1:
            progress(i, len(files), path)
    documents = tuple(documents)
    index = Index.build(bib) if bib is not None else None
    resolutions = Resolutions({doc.path: resolve_document(doc, index) for doc in documents} if index is not None else {})
    quotes = check_quotations(documents, resolutions, bib, sources or config.sources)
    suppressions = tuple(s for doc in documents for s in parse_suppressions(doc.path, doc.text, doc.paragraphs, set(RULES)))
    ctx = Context(documents, bib, index, resolutions, quotes, style=dict(config.style), suppressions=suppressions)
    findings, suppressed = run_rules(ctx, RULES, config)
    baselined = 0
    if baseline is not None:
        kept = [f for f in findings if f.fingerprint not in baseline]
        baselined = len(findings) - len(kept)
        findings = kept
    return Report(documents, tuple(findings), bib, resolutions, quotes, baselined=baselined, suppressed=suppressed)
