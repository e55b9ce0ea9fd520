"""The command line: check, baseline, diff, rules. Nothing else lives here."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile

from . import __version__, audit, load_baseline
from .config import load_config
from .errors import CiteauditError
from .model import SEVERITIES
from .report import github, html_report, json_report, junit, markdown, sarif, text_report
from .report.common import failing
from .rules import RULES, rule_markdown, rules_markdown

FORMATS = ("text", "json", "markdown", "html", "sarif", "junit", "github")
SUFFIX = {"text": "txt", "json": "json", "markdown": "md", "html": "html", "sarif": "sarif", "junit": "xml", "github": "github.txt"}
FAIL_LEVELS = (*SEVERITIES, "never")
EXPORT_FORMATS = ("bibtex", "biblatex", "csl-json", "ris", "text", "html", "markdown")
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CiteauditError(f"{self.prog}: {message} (see --help)")


def _check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="manuscript files or folders")
    p.add_argument("--bib", action="append", metavar="FILE", default=[], help="BibTeX database (repeatable)")
    p.add_argument("--config", metavar="FILE", help="configuration (default: citeaudit.toml or pyproject.toml here)")
    p.add_argument("--sources", metavar="DIR", help="full texts of the cited works, as KEY.txt (form feeds between pages)")


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
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour in the text report")
    base = sub.add_parser("baseline", help="write a baseline: the JSON report of the findings as they are now")
    _check_options(base)
    base.add_argument("--out", metavar="FILE", required=True, help="where to write the baseline")
    diff = sub.add_parser("diff", help="what changed between two versions of a manuscript")
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--bib", action="append", metavar="FILE", default=[])
    diff.add_argument("--config", metavar="FILE")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument("--out", metavar="FILE")
    export = sub.add_parser("export", help="write the bibliography: BibTeX, CSL-JSON, RIS, or formatted in a CSL style")
    export.add_argument("--bib", action="append", metavar="FILE", default=[], required=True)
    export.add_argument("--cited-in", nargs="+", metavar="PATH", help="only the entries these manuscripts cite")
    export.add_argument("--to", choices=EXPORT_FORMATS, default="bibtex")
    export.add_argument("--style", default="chicago-author-date", help="CSL style name or .csl file (text, html, markdown)")
    export.add_argument("--stubs", action="store_true", help="skeleton BibTeX entries for the citations that did not resolve")
    export.add_argument("--citations", action="store_true", help="each citation of --cited-in as the style writes it in the text")
    export.add_argument("--out", metavar="FILE")
    export.add_argument("--config", metavar="FILE")
    rules = sub.add_parser("rules", help="list every rule, or show one rule's documentation with its examples")
    rules.add_argument("name", nargs="?", metavar="RULE", help="the rule to explain")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    return parser


def write_atomic(files: dict[str, str]) -> None:
    """Write files whole or not at all: each to a temporary file beside it, then all renamed."""
    staged: list[tuple[str, str]] = []
    for path in files:  # refuse before writing anything
        if os.path.isdir(path):
            raise CiteauditError("is a folder; cannot write the report there", path)
    try:
        for path, content in files.items():
            directory = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(directory):
                raise CiteauditError("folder does not exist", os.path.dirname(path) or ".")
            fd, tmp = tempfile.mkstemp(prefix=".citeaudit-", dir=directory)
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(content)
            os.chmod(tmp, 0o666 & ~_UMASK)
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _path in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise


def _progress(enabled: bool):
    if not enabled:
        return None

    def show(i: int, n: int, path: str) -> None:
        width = 24
        done = width * i // n
        name = path if len(path) <= 40 else "…" + path[-39:]
        sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{n} {name:<40}")
        if i == n:
            sys.stderr.write("\r" + " " * (width + 50) + "\r")
        sys.stderr.flush()

    return show


def render(fmt: str, report, fail_on: str, colour: bool = False) -> str:
    if fmt == "text":
        return text_report.render(report, colour=colour)
    if fmt == "junit":
        return junit.render(report, fail_on)
    return {"json": json_report.render, "markdown": markdown.render, "html": html_report.render,
            "sarif": sarif.render, "github": github.render}[fmt](report)


def _run_audit(args, config):
    baseline = load_baseline(args.baseline) if getattr(args, "baseline", None) else None
    progress = _progress(sys.stderr.isatty() and len(args.paths) > 0)
    if args.sources and not os.path.isdir(args.sources):
        raise CiteauditError("no such sources folder", args.sources)
    report = audit(args.paths, args.bib or None, config, baseline, progress=progress, sources=args.sources)
    for doc in report.documents:
        for warning in doc.warnings:
            print(f"citeaudit: warning: {warning}", file=sys.stderr)
    return report


def run_check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    formats = list(dict.fromkeys(args.format or ["text"]))
    fail_on = args.fail_on or config.fail_on or "error"
    out_dir = args.out and (os.path.isdir(args.out) or args.out.endswith(("/", os.sep)) or len(formats) > 1)
    if len(formats) > 1 and not args.out:
        raise CiteauditError("several --format need --out DIR")
    report = _run_audit(args, config)
    if out_dir:
        if not os.path.isdir(args.out):
            raise CiteauditError("folder does not exist", args.out)
        write_atomic({os.path.join(args.out, f"citeaudit.{SUFFIX[f]}"): render(f, report, fail_on) for f in formats})
    elif args.out:
        write_atomic({args.out: render(formats[0], report, fail_on)})
    else:
        colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        sys.stdout.write(render(formats[0], report, fail_on, colour))
    return 1 if failing(report.findings, fail_on) else 0


def run_baseline(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    report = _run_audit(args, config)
    write_atomic({args.out: json_report.render(report)})
    print(f"citeaudit: baseline of {len(report.findings)} findings written to {args.out}", file=sys.stderr)
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from . import diff

    config = load_config(args.config)
    result = diff.compare(args.old, args.new, args.bib or config.bib or None, config)
    output = {"text": diff.render_text, "markdown": diff.render_markdown, "json": diff.render_json}[args.format](result)
    if args.out:
        write_atomic({args.out: output})
    else:
        sys.stdout.write(output)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from . import export, load_bibliography

    config = load_config(args.config)
    report = None
    if args.cited_in:
        report = audit(args.cited_in, args.bib, config)
        bib = report.bibliography
    else:
        bib = load_bibliography(args.bib)
    for p in bib.problems:
        print(f"citeaudit: warning: {p.path}:{p.line}: {p.message}", file=sys.stderr)
    if (args.stubs or args.citations) and report is None:
        raise CiteauditError("--stubs and --citations need --cited-in: the manuscripts to read")
    if args.stubs:
        output = export.stubs(report)
    elif args.citations:
        from .export.styled import render_citations

        output = render_citations(report, export.select(bib, report), args.style)
    else:
        output = export.render(export.select(bib, report), args.to, args.style)
    if args.out:
        write_atomic({args.out: output})
    else:
        sys.stdout.write(output)
    return 0


def run_rules_command(args: argparse.Namespace) -> int:
    if args.name is not None:
        if args.name not in RULES:
            close = difflib.get_close_matches(args.name, list(RULES), n=1)
            hint = f" (did you mean {close[0]}?)" if close else " (see citeaudit rules)"
            raise CiteauditError(f"unknown rule {args.name!r}{hint}")
        sys.stdout.write("\n".join(rule_markdown(RULES[args.name])).rstrip("\n") + "\n")
        return 0
    if args.format == "markdown":
        sys.stdout.write(rules_markdown())
        return 0
    width = max(len(name) for name in RULES)
    for r in RULES.values():
        sys.stdout.write(f"{r.name:<{width}}  {r.severity:<7}  {r.summary}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        commands = {"check": run_check, "baseline": run_baseline, "diff": run_diff, "export": run_export, "rules": run_rules_command}
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
        return 0
