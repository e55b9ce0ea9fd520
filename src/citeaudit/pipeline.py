"""The whole check, stage by stage: read the manuscripts, load the bibliography, extract,
resolve, match the quotations, run the rules (docs/architecture.md). The package's
public names (`citeaudit.audit`, ...) come from here."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING
from pathlib import Path

from ._version import __version__
from .bibliography import Bibliography, load_bibliography
from .bibliography.read import load_cached
from .config import Config, load_config
from .errors import CiteauditError
from .extract import extract
from .extract.known import KnownNames
from .model import Document, Report, Resolutions
from .quotes import check_quotations
from .cache import Cache, digest
from .readers import STDIN, Source, expand_paths, read_bytes, read_sources

if TYPE_CHECKING:
    from .reflist.entries import ReferenceList
from .resolve import Index, resolve_document
from .rules import RULES, Context, run_rules
from .suppress import parse_suppressions

#: The stages the package offers as its own names (citeaudit.audit, ...).
__all__ = [
    "audit", "extract_all", "known_names", "load_baseline", "read_document", "read_lists", "read_manuscripts",
    "verify_bibliography", "verify_online",
]


def read_document(path: str | os.PathLike[str], known: KnownNames | None = None) -> Document:
    """Read and extract one manuscript; `known` (from `known_names(bibliography)`) makes
    the names and titles of a bibliography recognisable in it."""
    return extract(read_sources(path)[0], known)


def known_names(bib: Bibliography) -> KnownNames:
    """The names and main titles of a bibliography's works, for extraction."""
    from .extract.known import bibliography_names

    return KnownNames(*bibliography_names(bib.entries))


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
    online=None,
    online_progress=None,
    jobs: int | None = 1,
    scheduler: str | None = None,
    cache: Cache | None = None,
) -> Report:
    """Extract every manuscript named (folders are searched), resolve its citations against
    the bibliography, run the rules, and leave out what the configuration, the manuscripts'
    suppression comments and the baseline say to leave out.

    The bibliography is the .bib given (`bib_paths`, or the configuration's); else the .bib
    files the manuscripts name themselves (YAML `bibliography:`, `\\bibliography{}`); else
    what the manuscripts hold: the works a reference manager stored in Word citation fields,
    and each manuscript's typed reference list. With `online` (an online.OnlineConfig) its
    entries are checked against the registries too.

    Manuscripts are read and extracted as independent units: in this process (`jobs` 1), a
    pool of `jobs` processes (None: every core), or on the Dask cluster at `scheduler`; the
    report is the same whatever runs them. `cache` keeps what was read and extracted for the
    next run (cache.Cache)."""
    from .parallel import Executor

    config = config or Config()
    cache = cache or Cache(None)
    files = [p for p in expand_paths(paths) if not config.excluded(p)]
    bib_paths = list(bib_paths or config.bib)
    with ExitStack() as running:  # a child working ahead is stopped whatever happens
        with Executor(jobs, scheduler) as executor:
            read = read_manuscripts(files, progress, executor, cache)
            declared: list[str] = []
            if not bib_paths:
                declared, warned = _declared_bibliographies(read, paths)
                read = [replace(s, warnings=s.warnings + tuple(warned[s.path])) if s.path in warned else s
                        for s in read]
            # the .bib files, parsed, or their parse from the cache, and the key it is kept under
            bib, bib_key = load_cached(bib_paths or declared, cache) if bib_paths or declared else (None, "none")
            ahead = _rules_ahead(bib, bib_key, config, executor, cache)
            if ahead is not None:
                running.callback(ahead[1].close)
            known = _known_names(bib, bib_key, cache) if bib is not None else None
            doc_keys = _document_keys(read, known, cache)
            documents = extract_all(read, known, executor, cache, doc_keys)
            lists = read_lists(documents, notes=bib is None)
            embedded = _embedded_entries(documents)
            from_manuscripts = bib is None and bool(lists or embedded)
            if from_manuscripts:
                # the typed references are the bibliography: their names and titles make more
                # citations recognisable, as a .bib's do
                # (a Word file's typed list is what its reference manager printed from its fields: the
                # fields' items stand for it)
                fielded = {e.path for e in embedded}
                bib = Bibliography(tuple(e for lst in lists.values() if lst.path not in fielded for e in lst.entries)
                                   + tuple(embedded))
                known = known_names(bib)
                documents = extract_all(read, known, executor, cache)
                bib_key = doc_keys = None  # what the rules say of one manuscript depends on the others' lists
            documents = tuple(documents)
            # a manuscript's results are kept under its extraction's key and the bibliography's
            kept = {d.path: k for d, k in zip(documents, doc_keys or ()) if k is not None and bib_key is not None}
            aliases = _aliases(documents, bib) if bib is not None and not from_manuscripts else {}
            index = Index.build(bib, aliases=aliases) if bib is not None else None
            resolutions = Resolutions(_resolve(documents, bib, lists, embedded, from_manuscripts, index,
                                               _resolution_memo(cache, kept, bib_key, aliases)))
            quotes = check_quotations(documents, resolutions, bib, sources or config.sources, executor, cache)
        suppressions = tuple(s for doc in documents
                             for s in parse_suppressions(doc.path, doc.text, doc.paragraphs, set(RULES)))
        checked = verify_online(bib, online, online_progress) if online is not None and bib is not None else None
        ctx = Context(documents, bib, index, resolutions, quotes, style=dict(config.style), suppressions=suppressions,
                      lists=lists, from_lists=from_manuscripts, online=checked)
        findings, suppressed = run_rules(ctx, RULES, config, _rules_memo(cache, kept, bib_key, resolutions, config),
                                         _bibliography_memo(cache, bib_key, ahead))
        cache.trim()
        findings, baselined = _without_baseline(findings, baseline)
        return Report(documents, tuple(findings), bib, resolutions, quotes, baselined=baselined, suppressed=suppressed,
                      lists=lists, online=checked,
                      document_keys={d.path: k for d, k in zip(documents, doc_keys or ()) if k is not None})


def _without_baseline(findings: list, baseline: set[str] | None) -> tuple[list, int]:
    """The findings a baseline does not already hold, and how many it held."""
    if baseline is None:
        return findings, 0
    kept = [f for f in findings if f.fingerprint not in baseline]
    return kept, len(findings) - len(kept)


def _known_names(bib: Bibliography, bib_key: str | None, cache: Cache) -> KnownNames:
    """`known_names(bib)`, or its copy kept with the parsed .bib (a 20,000-entry library's
    names take a third of a second to gather and index, a tenth to load)."""
    if bib_key is None or cache.folder is None:
        return known_names(bib)
    key = "known-" + digest(bib_key)
    kept = cache.get(key)
    if kept is not None:
        try:
            return KnownNames.from_parts(kept)
        except (TypeError, ValueError):
            pass  # not what this citeaudit keeps: made again
    known = known_names(bib)
    cache.put(key, known.parts())
    return known


def _resolution_memo(cache: Cache, kept: dict[str, str], bib_key: str | None, aliases: dict[str, str]):
    """`memo(doc, make)`: a manuscript's resolutions, or their copy in the cache, kept under
    its extraction, the bibliography and the aliases of the Word files' items."""
    if cache.folder is None or not kept:
        return None
    known = repr(sorted(aliases.items()))

    def memo(doc: Document, make):
        if doc.path not in kept:
            return make()
        return cache.get_or_make("res-" + digest(__version__, kept[doc.path], bib_key or "none", known), make)

    return memo


def _bibliography_key(bib_key: str, names: tuple[str, ...]) -> str:
    return "bibrules-" + digest(bib_key, *names)


def _rules_ahead(bib: Bibliography | None, bib_key: str | None, config: Config, executor, cache: Cache):
    """What the per-bibliography rules will say of a large bibliography, started in a
    forked child while the manuscripts are worked on (`ahead.Ahead`), as (names, job); None
    where it is small, kept in the cache already, or this run has one job or a cluster."""
    from .ahead import MIN_ENTRIES, Ahead
    from .rules.registry import bibliography_issues, bibliography_rules

    if bib is None or len(bib.entries) < MIN_ENTRIES or executor.jobs < 2 or executor.scheduler:
        return None
    names = bibliography_rules(RULES, config)
    if not names or (cache.folder and bib_key and cache.has(_bibliography_key(bib_key, names))):
        return None
    return names, Ahead(bibliography_issues, RULES, bib, names)


def _bibliography_memo(cache: Cache, bib_key: str | None, ahead=None):
    """`bib_memo(names, make)` for `run_rules`: what the per-bibliography rules say, from
    the child that worked it out ahead (`_rules_ahead`), or its copy in the cache, kept under
    the bibliography's key (its paths and bytes)."""
    def made(names: tuple[str, ...], make):
        return ahead[1].result() if ahead is not None and names == ahead[0] else make()

    if cache.folder is None or bib_key is None or bib_key == "none":
        return made if ahead is not None else None
    return lambda names, make: cache.get_or_make(_bibliography_key(bib_key, names), lambda: made(names, make))


def _rules_memo(cache: Cache, kept: dict[str, str], bib_key: str | None, resolutions: Resolutions, config: Config):
    """`memo(doc, names, make)` for `run_rules`: what the per-document rules say of a
    manuscript, or its copy in the cache, kept under its extraction, its resolutions, the
    bibliography, the house style and the rules run."""
    if cache.folder is None or not kept:
        return None
    import pickle

    style = repr(sorted(config.style.items()))

    def memo(doc: Document, names: tuple[str, ...], make):
        if doc.path not in kept:
            return make()
        resolved = pickle.dumps(resolutions.by_path.get(doc.path, ()), protocol=4)
        return cache.get_or_make("rules-" + digest(__version__, kept[doc.path], bib_key or "none", resolved, style, *names),
                                 make)

    return memo


def _read_unit(path: str, shared=None) -> list[Source]:  # noqa: ARG001 - a unit of work takes what is shared
    return read_sources(path)


def _extract_unit(source: Source, shared: KnownNames | None) -> Document:
    """One manuscript's extraction; `shared`: the bibliography's names and titles."""
    return extract(source, shared)


def read_manuscripts(files: list[str], progress=None, executor=None, cache: Cache | None = None) -> list[Source]:
    """Every file read by its format; a LaTeX document's inputs come with it, and a file a
    LaTeX document inputs is not read again on its own. What was read of a file (not LaTeX,
    whose inputs are other files) is kept in the cache under its bytes."""
    cache = cache or Cache(None)
    groups: list[list[Source] | None] = [None] * len(files)
    keys: dict[int, str] = {}
    for i, path in enumerate(files):
        if path == STDIN or cache.folder is None or Path(path).suffix.lower() in (".tex", ".ltx", ".latex"):
            continue
        try:
            keys[i] = "read-" + digest(__version__, path, read_bytes(path))
        except CiteauditError:
            continue  # read_sources says why
        groups[i] = cache.get(keys[i])
    todo = [i for i, g in enumerate(groups) if g is None]
    if executor is None or STDIN in files:
        made = [_read_unit(files[i]) for i in todo]
    else:
        made = executor.map(_read_unit, [files[i] for i in todo],
                            progress=(lambda d, t: progress(d, t, "")) if progress and len(todo) > 1 else None)
    for i, group in zip(todo, made):
        groups[i] = group
        if i in keys:
            cache.put(keys[i], group)
    included = {os.path.realpath(s.path) for group in groups for s in group[1:]}
    out: list[Source] = []
    seen: set[str] = set()
    for group in groups:
        if group and group[0].format == "latex" and os.path.realpath(group[0].path) in included:
            continue
        for s in group:
            real = os.path.realpath(s.path) if s.path != "-" else "-"
            if real not in seen:
                seen.add(real)
                out.append(s)
    return out


def _document_keys(sources: list[Source], known: KnownNames | None, cache: Cache) -> list[str | None]:
    """The key each manuscript's extraction is kept under in the cache: what was read of it
    and the names looked for (None for standard input, and all None without a cache)."""
    if cache.folder is None:
        return [None] * len(sources)
    import pickle

    known_key = digest(pickle.dumps(known)) if known is not None else "none"
    return [None if s.path == STDIN else "doc-" + digest(__version__, known_key, pickle.dumps(s, protocol=4))
            for s in sources]


def extract_all(sources: list[Source], known: KnownNames | None, executor=None, cache: Cache | None = None,
                keys: list[str | None] | None = None) -> list[Document]:
    """Each manuscript extracted (an independent unit of work), or its extraction from the
    cache (keyed by what was read and the names looked for: `keys`, or `_document_keys`)."""
    cache = cache or Cache(None)
    if keys is None:
        keys = _document_keys(sources, known, cache)
    docs: list[Document | None] = [None] * len(sources)
    for i, key in enumerate(keys):
        if key is not None:
            docs[i] = cache.get(key)
    todo = [i for i, d in enumerate(docs) if d is None]
    if executor is None:
        made = [extract(sources[i], known) for i in todo]
    else:
        made = executor.map(_extract_unit, [sources[i] for i in todo], shared=known)
    for i, doc in zip(todo, made):
        docs[i] = doc
        if keys[i] is not None:
            cache.put(keys[i], doc)
    return docs


def verify_online(bib: Bibliography, online, progress=None):
    """The bibliography's entries looked up in the registries (online/): an OnlineReport."""
    from .online import verify_entries

    return verify_entries(bib.entries, online, progress)


def verify_bibliography(bib_paths: list[str], config: Config | None = None, online=None, online_progress=None,
                        baseline: set[str] | None = None) -> Report:
    """`citeaudit verify`: a bibliography on its own — its parse errors, fields and
    duplicates, and with `online` its entries against the registries. No manuscript, so no
    entry is reported uncited."""
    config = config or Config()
    bib = load_bibliography(bib_paths)
    checked = verify_online(bib, online, online_progress) if online is not None else None
    ctx = Context((), bib, Index.build(bib), Resolutions({}), check_quotations((), Resolutions({}), bib, None),
                  style=dict(config.style), online=checked)
    rules = {name: r for name, r in RULES.items() if name != "uncited-entry"}
    findings, suppressed = run_rules(ctx, rules, config)
    findings, baselined = _without_baseline(findings, baseline)
    return Report((), tuple(findings), bib, baselined=baselined, suppressed=suppressed, online=checked)


def _declared_bibliographies(sources: list[Source], named: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The .bib files the manuscripts name (YAML `bibliography:`, `\\bibliography{}`,
    `\\addbibresource{}`) that exist inside the folders of this run (a manuscript's own
    folder, the folders named); a warning for each other one, which is not read."""
    roots = [os.path.dirname(os.path.abspath(s.path)) for s in sources if s.path != "-"]
    roots += [os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in named if p != "-"]
    out: list[str] = []
    warned: dict[str, list[str]] = {}
    for s in sources:
        for bib in s.bibliography:
            real = os.path.realpath(bib)
            if not os.path.isfile(bib):
                warned.setdefault(s.path, []).append(f"{s.path}: its bibliography {bib} does not exist; give one with --bib")
            elif not any(real == os.path.realpath(r) or real.startswith(os.path.realpath(r).rstrip(os.sep) + os.sep) for r in roots):
                warned.setdefault(s.path, []).append(f"{s.path}: its bibliography {bib} is outside the folders of this run; "
                                                     "not read (give it with --bib)")
            elif bib not in out:
                out.append(bib)
    return out, warned


def _embedded_entries(documents) -> list:
    """The works reference managers stored in the manuscripts' citation fields, as entries."""
    from .bibliography.csl import entry_from_csl

    seen: dict[str, object] = {}
    for doc in documents:
        first = {}
        for c in doc.citations:
            for it in c.items:
                if it.key is not None:
                    first.setdefault(it.key, doc.lines.line(c.span.start))
        for key, item in doc.embedded:
            if key not in seen:
                seen[key] = entry_from_csl(key, item, doc.path, first.get(key, 1))
    return list(seen.values())


def _aliases(documents, bib: Bibliography) -> dict[str, str]:
    """A reference manager's item -> the .bib entry of the same work (DOI, ISBN, else first
    author, year and title), for Word files checked against a .bib."""
    from .bibliography.csl import entry_from_csl
    from .rules.references import same_work

    out: dict[str, str] = {}
    index = None
    for doc in documents:
        for key, item in doc.embedded:
            if key in out or bib.get(key) is not None:
                continue
            index = index or Index.build(bib)
            match = same_work(entry_from_csl(key, item, doc.path), index)
            if match is not None:
                out[key] = match.key
    return out


def read_lists(documents, notes: bool = True) -> dict[str, ReferenceList]:
    """Each manuscript's own references (its reference list, or with `notes` the full
    references of its notes where it has no list), parsed into entries with keys unique
    across the manuscripts."""
    from .reflist.entries import parse_list

    taken: set[str] = set()
    out = {}
    for doc in documents:
        if not doc.references and not (notes and any(c.kind == "note-reference" for c in doc.citations)):
            continue  # nothing typed to parse: the parser is not even loaded
        lst = parse_list(doc, taken, notes)
        if lst is not None:
            out[doc.path] = lst
    return out


def _resolve(documents, bib: Bibliography | None, lists: dict[str, ReferenceList], embedded: list,
             from_manuscripts: bool, index: Index | None, memo=None) -> dict:
    """Every citation resolved against the .bib (through its `index`, each manuscript's
    through `memo(doc, make)` where one is given); or, without one, against the
    manuscript's own references (and the works of its citation fields), or the other
    manuscripts' where it has none (a book's chapters with the bibliography at the back)."""
    if bib is None:
        return {}
    if not from_manuscripts:
        if memo is None:
            return {doc.path: resolve_document(doc, index) for doc in documents}
        return {doc.path: memo(doc, lambda doc=doc: resolve_document(doc, index)) for doc in documents}
    where = ("the reference lists" if len(lists) > 1 else _where(next(iter(lists.values()))) if lists
             else "the citation fields' items")
    shared = Index.build(bib, where)
    out = {}
    for doc in documents:
        lst = lists.get(doc.path)
        own = lst is not None and len(lists) > 1
        index = Index.build(Bibliography(lst.entries + tuple(embedded)), _where(lst)) if own else shared
        out[doc.path] = resolve_document(doc, index)
    return out


def _where(lst: ReferenceList) -> str:
    return "the reference list" if lst.origin == "list" else "the references given in the notes"
