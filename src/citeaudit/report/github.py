"""GitHub Actions workflow commands: one annotation per finding, on its file and line."""

from __future__ import annotations

from ..model import Report
from .common import printable

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    out = []
    for f in report.findings:
        props = [f"file={_prop(f.path)}"]
        if f.line:
            props.append(f"line={f.line}")
        if f.column:
            props.append(f"col={f.column}")
        props.append(f"title={_prop('citeaudit ' + f.rule)}")
        out.append(f"::{_LEVEL.get(f.severity, 'notice')} {','.join(props)}::{_data(f.message)}")
    return "\n".join(out) + ("\n" if out else "")
