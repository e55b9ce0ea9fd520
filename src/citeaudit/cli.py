"""The command line: check, baseline, diff, export, rules. Nothing else lives here."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import gc
import os
import signal
import sys
import time

from . import __version__
from .config import load_config
from .errors import CiteauditError, display
from .levels import SEVERITIES
from .output import write_atomic
from .readers import STDIN, expand_paths, unread_in

# What a run needs beyond these (the pipeline, the rules, the report writers) is imported
# where it is used: a check whose output is in the cache loads none of them.

FORMATS = ("text", "concise", "json", "markdown", "html", "sarif", "junit", "github", "docx")
SUFFIX = {"text": "txt", "concise": "concise.txt", "json": "json", "markdown": "md", "html": "html", "sarif": "sarif",
          "junit": "xml", "github": "github.txt"}
FAIL_LEVELS = (*SEVERITIES, "never")
EXPORT_FORMATS = ("bibtex", "biblatex", "csl-json", "ris", "text", "html", "markdown")


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.removeprefix("citeaudit").strip()  # "check", or "" for the top level
        raise CiteauditError(f"{command + ': ' if command else ''}{message} (see --help)")


def _rule_list(values: list[str] | None) -> list[str]:
    names = [n.strip() for v in values or [] for n in v.split(",") if n.strip()]
    if not names:
        return names
    from .rules import RULES

    for name in names:
        if name not in RULES:
            close = difflib.get_close_matches(name, list(RULES), n=1)
            hint = f" (did you mean {close[0]}?)" if close else " (see citeaudit rules)"
            raise CiteauditError(f"unknown rule {name!r}{hint}")
    return names


def _check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="manuscript files or folders; - reads standard input")
    p.add_argument("--bib", action="append", metavar="FILE", default=[], help="BibTeX database (repeatable)")
    p.add_argument("--config", metavar="FILE", help="configuration (default: citeaudit.toml or pyproject.toml here or above)")
    p.add_argument("--sources", metavar="DIR", help="full texts of the cited works, as KEY.txt (form feeds between pages)")
    p.add_argument("--select", action="append", metavar="RULE[,RULE]", help="run only these rules")
    p.add_argument("--ignore", action="append", metavar="RULE[,RULE]", help="do not run these rules")
    _online_options(p, "also look the entries up in the registries (Crossref, DataCite, Open Library)")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: every core)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on this Dask cluster (DASK_SCHEDULER_ADDRESS)")
    _cache_options(p)


def _cache_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cache", metavar="DIR", help="keep what was read for the next run here (default: the user's "
                                                  "cache folder; CITEAUDIT_CACHE_DIR)")
    p.add_argument("--no-cache", action="store_true", help="read everything afresh and keep nothing")


def _online_options(p: argparse.ArgumentParser, online_help: str | None) -> None:
    if online_help:
        p.add_argument("--online", action="store_true", help=online_help)
    p.add_argument("--offline", action="store_true", help="registry answers from the cache only; ask nothing")
    p.add_argument("--cache-dir", metavar="DIR", help="the registry answers' cache (default: the user's cache folder; "
                                                      "CITEAUDIT_CACHE_DIR)")
    p.add_argument("--contact", metavar="EMAIL", help="an address for Crossref's polite pool (CITEAUDIT_CONTACT)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="citeaudit", description="Verify the citations of scholarly manuscripts.")
    parser.add_argument("--version", action="version", version=f"citeaudit {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    check = sub.add_parser("check", help="extract and check the citations of manuscripts")
    _check_options(check)
    check.add_argument("--format", action="append", choices=FORMATS, help="report format (repeatable with --out DIR; default text)")
    check.add_argument("--out", metavar="DIR|FILE", help="write the report(s) there instead of standard output")
    check.add_argument("--fail-on", choices=FAIL_LEVELS, default=None, help="exit 1 at or above this severity (default error)")
    check.add_argument("--baseline", metavar="FILE", help="a JSON report whose findings are not reported again")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour in the text report (auto: on a terminal, unless NO_COLOR; FORCE_COLOR forces it)")
    base = sub.add_parser("baseline", help="write a baseline: the JSON report of the findings as they are now")
    _check_options(base)
    base.add_argument("--out", metavar="FILE", required=True, help="where to write the baseline")
    diff = sub.add_parser("diff", help="what changed between two versions of a manuscript")
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--bib", action="append", metavar="FILE", default=[])
    diff.add_argument("--config", metavar="FILE")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument("--fail-on", choices=FAIL_LEVELS, default=None,
                      help="exit 1 when NEW has new findings at or above this severity (default error)")
    diff.add_argument("--out", metavar="FILE")
    export = sub.add_parser("export", help="write the bibliography: BibTeX, CSL-JSON, RIS, or formatted in a CSL style")
    export.add_argument("--bib", action="append", metavar="FILE", default=[])
    export.add_argument("--from", dest="from_", nargs="+", metavar="MANUSCRIPT",
                        help="the manuscripts' own typed reference lists (or full references in notes), parsed")
    export.add_argument("--cited-in", nargs="+", metavar="PATH", help="only the entries these manuscripts cite")
    export.add_argument("--to", choices=EXPORT_FORMATS, default="bibtex")
    export.add_argument("--style", default="chicago-author-date", help="CSL style name or .csl file (text, html, markdown)")
    export.add_argument("--stubs", action="store_true", help="skeleton BibTeX entries for the citations that did not resolve")
    export.add_argument("--citations", action="store_true", help="each citation of --cited-in as the style writes it in the text")
    export.add_argument("--out", metavar="FILE")
    export.add_argument("--config", metavar="FILE")
    _cache_options(export)
    verify = sub.add_parser("verify", help="check a bibliography on its own, against the registries (DOI, ISBN, "
                                           "metadata, retractions)")
    verify.add_argument("--bib", action="append", metavar="FILE", default=[], required=True)
    verify.add_argument("--config", metavar="FILE")
    verify.add_argument("--format", choices=[f for f in FORMATS if f != "docx"], default="text")
    verify.add_argument("--out", metavar="FILE")
    verify.add_argument("--fail-on", choices=FAIL_LEVELS, default=None)
    verify.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    _online_options(verify, None)
    enrich = sub.add_parser("enrich", help="propose missing or wrong fields (DOI, pages, year, ...) from the registries "
                                           "as a diff of the .bib, or write them")
    enrich.add_argument("--bib", metavar="FILE", required=True)
    enrich.add_argument("--config", metavar="FILE")
    enrich.add_argument("--write", action="store_true", help="change the .bib (after a backup, FILE.bak)")
    _online_options(enrich, None)
    rules = sub.add_parser("rules", help="list every rule, or show one rule's documentation with its examples")
    rules.add_argument("name", nargs="?", metavar="RULE", help="the rule to explain")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    return parser


def _progress(enabled: bool):
    """A progress line on stderr, with the time left, when stderr is a terminal."""
    if not enabled:
        return None
    started = time.monotonic()

    def show(i: int, n: int, path: str) -> None:
        width = 24
        done = width * i // n
        elapsed = time.monotonic() - started
        eta = elapsed / i * (n - i)
        left = f"{int(eta // 60)}:{int(eta % 60):02d} left" if i < n else ""
        name = display(path)
        name = name if len(name) <= 40 else "…" + name[-39:]
        sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{n} {left:<10} {name:<40}")
        if i == n:
            sys.stderr.write("\r" + " " * (width + 62) + "\r")
        sys.stderr.flush()

    return show


def render(fmt: str, report, fail_on: str, colour: bool = False, cache=None) -> str:
    """One report format; its writer is imported only when asked for. With `cache`, the
    JSON report keeps each manuscript's part there."""
    from importlib import import_module

    module = {"text": "text_report", "concise": "concise", "json": "json_report", "markdown": "markdown",
              "html": "html_report", "sarif": "sarif", "junit": "junit", "github": "github"}[fmt]
    writer = import_module(f".report.{module}", __package__)
    if fmt == "text":
        return writer.render(report, colour=colour)
    if fmt == "junit":
        return writer.render(report, fail_on)
    if fmt == "json" and cache is not None:
        return writer.render(report, cache.text_memo(writer.PARTS))
    return writer.render(report)


def _colour(choice: str) -> bool:
    """https://no-color.org and https://force-color.org: NO_COLOR and FORCE_COLOR, when set
    and not empty, decide for `auto`."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _with_rules(config, args):
    selected, ignored = _rule_list(getattr(args, "select", None)), _rule_list(getattr(args, "ignore", None))
    if not selected and not ignored:
        return config
    disabled = set(config.disabled) | set(ignored)
    if selected:
        from .rules import RULES

        disabled |= set(RULES) - set(selected)
    return dataclasses.replace(config, disabled=disabled)


def _inputs(args, config) -> list[str]:
    """Every file this run reads, so that no report is written over one of them."""
    paths = [p for p in getattr(args, "paths", None) or [] if p != STDIN]
    found = expand_paths(paths) if paths else []
    found += list(getattr(args, "bib", None) or []) + list(config.bib)
    found += [p for p in (getattr(args, "baseline", None), config.path, getattr(args, "old", None),
                          getattr(args, "new", None)) if p]
    found += [p for p in getattr(args, "cited_in", None) or [] if os.path.isfile(p)]
    found += expand_paths([p for p in getattr(args, "from_", None) or [] if p != STDIN])
    for folder in (getattr(args, "sources", None), config.sources):
        if folder and os.path.isdir(folder):
            found += [os.path.join(folder, f) for f in os.listdir(folder)]
    return found


def _cache(args):
    from .cache import Cache, default_dir

    return Cache(None if args.no_cache else (args.cache or default_dir()))


def _run_audit(args, config, cache) -> tuple:
    """The report of the check, and the warnings to say before it."""
    from . import audit, load_baseline

    baseline = load_baseline(args.baseline) if getattr(args, "baseline", None) else None
    progress = _progress(sys.stderr.isatty() and len(args.paths) > 0)
    if args.sources and not os.path.isdir(args.sources):
        raise CiteauditError("no such sources folder", args.sources)
    online = _online_config(args, config) if args.online or args.offline else None
    bar = _online_progress() if online is not None else None
    try:
        report = audit(args.paths, args.bib or None, config, baseline, progress=progress, sources=args.sources,
                       online=online, online_progress=bar, jobs=args.jobs, scheduler=args.scheduler, cache=cache)
    finally:
        if bar is not None:
            bar.close()
    said = []
    if report.online is not None:
        said.append(_as_note("registries: " + report.online.summary()))
    for path, advice in unread_in(args.paths):
        said.append(_as_warning(f"{display(path)}: not read: citeaudit reads .txt, .md, .tex, .docx, .odt and .pdf ({advice})"))
    for doc in report.documents:
        for warning in doc.warnings:
            said.append(_as_warning(warning))
    return report, said


def _said_after(report, config) -> list[str]:
    """What the run could not do, said once its output is written."""
    from .rules import RULES

    if report.bibliography is None:
        needs = sorted(name for name, r in RULES.items() if r.needs_bibliography and name not in config.disabled)
        return [_as_note(f"no bibliography (--bib, or bib in the configuration): citations were found but not resolved, "
                      f"and {len(needs)} rules that need one did not run ({', '.join(needs[:3])}, …)")]
    return []


def _say(lines: list[str] | tuple[str, ...]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def _as_warning(message: str) -> str:
    return f"citeaudit: warning: {' '.join(message.split())}"


def _as_note(message: str) -> str:
    return f"citeaudit: note: {message}"


def _warn(message: str) -> None:
    print(_as_warning(message), file=sys.stderr)


def _note(message: str) -> None:
    print(_as_note(message), file=sys.stderr)


def _write(args, output: str, inputs: list[str]) -> None:
    if args.out:
        write_atomic({args.out: output}, inputs)
    else:
        sys.stdout.write(output)


def _recording_key(args, config, formats: list[str], fail_on: str, colour: bool, cache) -> str | None:
    """The key a check's whole output is kept under: the hash of its options, its
    configuration, the folder it runs in and the bytes of its manuscripts and .bib files
    (and of the code, as every key of the cache). None where the output depends on more
    than these: no cache, standard input, the registries (--online, --offline), a LaTeX
    manuscript (its inputs are other files), no .bib named (the manuscripts name theirs), an
    annotated Word copy asked for."""
    from .cache import digest
    from .readers import read_bytes

    bibs = list(args.bib or config.bib)
    if cache.folder is None or args.online or args.offline or not bibs or STDIN in args.paths or "docx" in formats:
        return None
    if args.sources and not os.path.isdir(args.sources):
        return None  # the run says so
    files = [p for p in expand_paths(args.paths) if not config.excluded(p)]
    if any(os.path.splitext(p)[1].lower() in (".tex", ".ltx", ".latex") for p in files):
        return None
    parts: list[str | bytes] = ["check", os.getcwd(), repr((formats, args.out, fail_on, colour, args.sources, config))]
    try:
        for p in files:
            parts += [p, read_bytes(p)]
        for p in bibs:
            parts += [p, read_bytes(p)]
        if args.baseline:
            parts += [args.baseline, read_bytes(args.baseline)]
    except CiteauditError:
        return None  # the run says what is wrong
    return "run-" + digest(*parts)


def _looked_at(report, args, config) -> tuple:
    """The state of the files a check looked for besides its manuscripts and .bib files:
    the full texts of the works (found or not)."""
    from .cache import looked_for

    if report.bibliography is None:
        return ()
    from .quotes import candidate_paths

    return looked_for(candidate_paths(report.bibliography, args.sources or config.sources))


def _replay(kept, inputs: list[str]) -> int:
    _say(kept.said)
    if kept.files:
        write_atomic(kept.files, inputs)
    else:
        sys.stdout.write(kept.stdout)
    _say(kept.said_after)
    return kept.code


def run_check(args: argparse.Namespace) -> int:
    config = _with_rules(load_config(args.config), args)
    formats = list(dict.fromkeys(args.format or ["text"]))
    fail_on = args.fail_on or config.fail_on or "error"
    out_dir = args.out and (os.path.isdir(args.out) or args.out.endswith(("/", os.sep)) or len(formats) > 1)
    if len(formats) > 1 and not args.out:
        raise CiteauditError("several --format need --out DIR")
    if out_dir and not os.path.isdir(args.out):
        raise CiteauditError("folder does not exist", args.out)
    inputs = _inputs(args, config)
    cache = _cache(args)
    colour = _colour(args.color)
    key = _recording_key(args, config, formats, fail_on, colour, cache)
    if key is not None:
        kept = cache.get(key)
        if kept is not None and kept.current():
            return _replay(kept, inputs)
    report, said = _run_audit(args, config, cache)
    _say(said)
    if "docx" in formats and not args.out:
        raise CiteauditError("--format docx writes annotated Word files: give --out DIR (or --out FILE.docx for one manuscript)")
    files: dict[str, str | bytes] = {}
    if "docx" in formats:
        files.update(_annotated(report, args.out if out_dir else None, None if out_dir else args.out))
    text_formats = [f for f in formats if f != "docx"]
    if out_dir:
        files.update({os.path.join(args.out, f"citeaudit.{SUFFIX[f]}"): render(f, report, fail_on, cache=cache)
                      for f in text_formats})
    elif args.out and text_formats:
        files[args.out] = render(text_formats[0], report, fail_on, cache=cache)
    stdout = ""
    if files:
        write_atomic(files, inputs)
    else:
        stdout = render(formats[0], report, fail_on, colour, cache)
        sys.stdout.write(stdout)
    after = _said_after(report, config)
    _say(after)
    from .report.common import failing

    code = 1 if failing(report.findings, fail_on) else 0
    if key is not None:
        from .cache import Recorded

        cache.put(key, Recorded(files, stdout, tuple(said), tuple(after), code, _looked_at(report, args, config)))
        cache.trim()
    return code


def _annotated(report, out_dir: str | None, out_file: str | None) -> dict[str, bytes]:
    """A copy of each Word manuscript with a comment on each of its findings (the original
    is never touched): OUT/NAME.citeaudit.docx, or the one file named. Other manuscripts
    have the HTML report for their editors: said on stderr."""
    from .readers.docx import read_docx
    from .report.docx_annotated import render as annotate

    out: dict[str, bytes] = {}
    word = [d for d in report.documents if d.format == "docx"]
    for d in report.documents:
        if d.format != "docx":
            _note(f"{display(d.path)} is not a Word file: --format docx annotates .docx manuscripts only "
                  "(the HTML report is the editor's view of the others)")
    if out_file is not None and len(word) != 1:
        raise CiteauditError(f"--out {out_file} names one file, but {len(word)} Word manuscripts were checked: "
                             "give a folder", out_file)
    for d in word:
        comments = []
        for f in report.findings:
            if f.path != display(d.path) or not f.line:
                continue
            start = d.lines.line_start(f.line) + (f.column or 1) - 1
            end = d.lines.line_start(f.end_line or f.line) + (f.end_column or f.column or 1)
            comments.append((start, max(end, start + 1), f"{f.rule} ({f.severity}): {f.message}"))
        data = annotate(d.path, read_docx(d.path), comments)
        stem = os.path.splitext(os.path.basename(d.path))[0]
        out[out_file or os.path.join(out_dir, f"{stem}.citeaudit.docx")] = data
    return out


def run_baseline(args: argparse.Namespace) -> int:
    from .report import json_report

    config = _with_rules(load_config(args.config), args)
    inputs = _inputs(args, config)
    cache = _cache(args)
    report, said = _run_audit(args, config, cache)
    _say(said)
    write_atomic({args.out: json_report.render(report, cache.text_memo(json_report.PARTS))}, inputs)
    _say(_said_after(report, config))
    print(f"citeaudit: baseline of {len(report.findings)} findings written to {display(args.out)}", file=sys.stderr)
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from . import diff

    config = load_config(args.config)
    inputs = _inputs(args, config)
    result = diff.compare(args.old, args.new, args.bib or config.bib or None, config)
    output = {"text": diff.render_text, "markdown": diff.render_markdown, "json": diff.render_json}[args.format](result)
    _write(args, output, inputs)
    fail_on = args.fail_on or config.fail_on or "error"
    from .report.common import failing

    return 1 if failing(result.new_findings, fail_on) else 0


def run_export(args: argparse.Namespace) -> int:
    from . import export

    config = load_config(args.config)
    inputs = _inputs(args, config)
    if args.from_:
        if args.bib or args.cited_in or args.stubs or args.citations:
            raise CiteauditError("--from reads the manuscripts' own reference lists: it takes no --bib, --cited-in, --stubs or --citations")
        entries = _typed_entries(args.from_, config)
        output, notes = export.render(entries, args.to, args.style)
        for note in notes:
            _warn(note)
        _write(args, output, inputs)
        return 0
    if not args.bib and not config.bib:
        raise CiteauditError("export needs --bib FILE (a BibTeX database) or --from MANUSCRIPT (a typed reference list)")
    args.bib = args.bib or config.bib
    report = None
    cache = _cache(args)  # the parsed .bib, kept for the next export or check
    if args.cited_in:
        from . import audit  # the whole check: only for the manuscripts' citations

        report = audit(args.cited_in, args.bib, config, cache=cache)
        bib = report.bibliography
    else:
        from .bibliography.read import load_cached

        bib, _key = load_cached(args.bib, cache)
    for p in bib.problems:
        _warn(f"{display(p.path)}:{p.line}: {p.message}")
    if (args.stubs or args.citations) and report is None:
        raise CiteauditError("--stubs and --citations need --cited-in: the manuscripts to read")
    if args.stubs:
        output = export.stubs(report)
    elif args.citations:
        from .export.styled import render_citations

        output = render_citations(report, export.select(bib, report), args.style)
    else:
        output, notes = export.render(export.select(bib, report), args.to, args.style)
        for note in notes:
            _warn(note)
    _write(args, output, inputs)
    return 0


def _typed_entries(paths: list[str], config) -> list:
    """The entries of the manuscripts' typed references, in the order typed; on stderr, each
    manuscript without any and each reference the parser was unsure of (its entry carries a
    `note` saying so). None at all is an error."""
    from . import read_document, read_lists
    from .reflist.entries import exported_entries

    files = [p for p in expand_paths(paths) if not config.excluded(p)]
    documents = [read_document(p) for p in files]
    lists = read_lists(documents)
    entries = []
    for doc in documents:
        lst = lists.get(doc.path)
        if lst is None:
            _warn(f"{display(doc.path)}: no reference list (a heading such as References or Bibliography) and no full "
                  "reference in a note: nothing exported from it")
            continue
        if lst.origin == "note":
            _warn(f"{display(doc.path)}: no reference list; exporting the {len(lst.items)} full references of its notes")
        out, said = exported_entries(lst)
        for line in said:
            _warn(line)
        entries.extend(out)
    if not entries:
        raise CiteauditError("no typed references found to export", paths[0] if len(paths) == 1 else None)
    return entries


def _online_config(args, config):
    """The registry client's settings: the configuration's [online] table, then the command
    line, then the CITEAUDIT_* environment variables."""
    from .online import OnlineConfig

    settings = dict(config.online)
    if args.cache_dir:
        settings["cache-dir"] = args.cache_dir
    if args.contact:
        settings["contact"] = args.contact
    if args.offline:
        settings["offline"] = True
    return OnlineConfig.from_env(**settings)


def _online_progress():
    from .online import TerminalProgress

    return TerminalProgress(label="registries")


def run_verify(args: argparse.Namespace) -> int:
    from . import verify_bibliography
    from .report.common import failing

    config = load_config(args.config)
    inputs = _inputs(args, config)
    online = _online_config(args, config)
    bar = _online_progress()
    try:
        report = verify_bibliography(args.bib, config, online, bar)
    finally:
        bar.close()
    fail_on = args.fail_on or config.fail_on or "error"
    output = render(args.format, report, fail_on, _colour(args.color) if not args.out else False)
    _write(args, output, inputs)
    _note("registries: " + report.online.summary())
    return 1 if failing(report.findings, fail_on) else 0


def run_enrich(args: argparse.Namespace) -> int:
    from . import load_bibliography
    from .online import enrich_file, verify_entries, write

    config = load_config(args.config)
    online = _online_config(args, config)
    bib = load_bibliography([args.bib])
    bar = _online_progress()
    try:
        checked = verify_entries(bib.entries, online, bar)
    finally:
        bar.close()
    result = enrich_file(args.bib, checked.proposals())
    for skipped in result.skipped:
        _warn(f"{display(args.bib)}: {skipped.edit.key}: {skipped.edit.field} not changed: {skipped.why}")
    _note("registries: " + checked.summary())
    if not result.changed:
        _note(f"{display(args.bib)}: nothing to propose")
        return 0
    if args.write:
        backup = write(result)
        _note(f"{display(args.bib)}: {len(result.applied)} fields written" + (f"; the old file is {display(backup)}" if backup else ""))
    else:
        sys.stdout.write(result.diff())
    return 0


def run_rules_command(args: argparse.Namespace) -> int:
    from .rules import RULES, rule_markdown, rules_markdown

    if args.name is not None:
        (name,) = _rule_list([args.name]) if "," not in args.name else (args.name,)
        if name not in RULES:
            raise CiteauditError(f"unknown rule {name!r} (see citeaudit rules)")
        sys.stdout.write("\n".join(rule_markdown(RULES[name])).rstrip("\n") + "\n")
        return 0
    if args.format == "markdown":
        sys.stdout.write(rules_markdown())
        return 0
    width = max(len(name) for name in RULES)
    for r in RULES.values():
        sys.stdout.write(f"{r.name:<{width}}  {r.severity:<7}  {r.summary}\n")
    return 0


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    # A run keeps many objects for its whole length (a large .bib's entries, a season's
    # manuscripts), which the collector's default thresholds scan again and again: its young
    # generation is collected less often, as mypy does (benchmarks/README.md).
    gc.set_threshold(200_000, 30, 30)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(sig, _terminate)  # cleanup runs as on any other exit
        except (ValueError, OSError):  # not the main thread, or no such signal here
            pass
    try:
        args = build_parser().parse_args(argv)
        commands = {"check": run_check, "baseline": run_baseline, "diff": run_diff, "export": run_export,
                    "verify": run_verify, "enrich": run_enrich, "rules": run_rules_command}
        if args.command in commands:
            return commands[args.command](args)
        build_parser().print_help()
        return 2
    except CiteauditError as exc:
        print(f"citeaudit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("citeaudit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (no second error at exit)
        except OSError:
            pass
        return 0
