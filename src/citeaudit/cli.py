"""The command line: check (and, in later versions, export and rules). Nothing else lives here."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from . import __version__, audit
from .errors import CiteauditError
from .report import json_report, text_report
from .rules import RULES, rules_markdown

FORMATS = {"json": json_report.render, "text": text_report.render}
FAIL_LEVELS = ("error", "warning", "info", "never")
_RANK = {"info": 1, "warning": 2, "error": 3}


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CiteauditError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="citeaudit", description="Verify the citations of scholarly manuscripts.")
    parser.add_argument("--version", action="version", version=f"citeaudit {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    check = sub.add_parser("check", help="extract and check the citations of manuscripts")
    check.add_argument("paths", nargs="+", metavar="PATH", help="manuscript files or folders")
    check.add_argument("--bib", action="append", metavar="FILE", default=[], help="BibTeX database (repeatable)")
    check.add_argument("--format", choices=sorted(FORMATS), default=None, help="report format (default: text)")
    check.add_argument("--out", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--fail-on", choices=FAIL_LEVELS, default="error", help="exit 1 at or above this severity")
    rules = sub.add_parser("rules", help="list every rule: name, default severity, what it checks")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    return parser


def run_rules_command(args: argparse.Namespace) -> int:
    if args.format == "markdown":
        sys.stdout.write(rules_markdown())
        return 0
    width = max(len(name) for name in RULES)
    for r in RULES.values():
        sys.stdout.write(f"{r.name:<{width}}  {r.severity:<7}  {r.summary}\n")
    return 0


def write_atomic(path: str, content: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CiteauditError("folder does not exist", os.path.dirname(path) or ".")
    fd, tmp = tempfile.mkstemp(prefix=".citeaudit-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def run_check(args: argparse.Namespace) -> int:
    report = audit(args.paths, args.bib or None)
    for doc in report.documents:
        for warning in doc.warnings:
            print(f"citeaudit: warning: {warning}", file=sys.stderr)
    fmt = args.format or "text"
    output = FORMATS[fmt](report)
    if args.out:
        write_atomic(args.out, output)
    else:
        sys.stdout.write(output)
    if args.fail_on == "never":
        return 0
    threshold = _RANK[args.fail_on]
    return 1 if any(_RANK.get(f.severity, 0) >= threshold for f in report.findings) else 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "check":
            return run_check(args)
        if args.command == "rules":
            return run_rules_command(args)
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
