"""One line per finding, for editors' greps and for tools that read compiler output:
`path:line:column: severity rule: message`."""

from __future__ import annotations

from ..model import Report
from .common import printable


def render(report: Report) -> str:
    out = []
    for f in report.findings:
        where = f"{f.path}:{f.line}:{f.column}" if f.line else f.path
        out.append(printable(f"{where}: {f.severity} {f.rule}: {f.message}"))
    return "".join(line + "\n" for line in out)
