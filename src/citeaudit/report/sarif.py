"""SARIF 2.1.0, so code-scanning tools show findings on the right lines; rule metadata
comes from the rule registry."""

from __future__ import annotations

import os

from .. import __version__
from ..jsontext import dumps
from ..model import Report
from ..rules import RULES, rule_markdown
from ..rules.registry import example_text

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    return path.replace(os.sep, "/")


def render(report: Report) -> str:
    rules = list(RULES.values())
    index = {r.name: i for i, r in enumerate(rules)}
    driver = {
        "name": "citeaudit",
        "version": __version__,
        "informationUri": "https://github.com/citeaudit/citeaudit",
        "rules": [
            {
                "id": r.name,
                "name": "".join(part.capitalize() for part in r.name.split("-")),
                "shortDescription": {"text": r.summary[:1].upper() + r.summary[1:]},
                "fullDescription": {"text": r.explanation or r.summary},
                "help": {
                    "text": f"{r.summary}\n\nFires on:\n{example_text(r.bad)}\n\nStays silent on:\n{example_text(r.good)}",
                    "markdown": "\n".join(rule_markdown(r)[2:]).rstrip("\n"),
                },
                "defaultConfiguration": {"level": _LEVEL[r.severity]},
            }
            for r in rules
        ],
    }
    artifacts = []
    artifact_index: dict[str, int] = {}
    results = []
    for f in report.findings:
        uri = _uri(f.path)
        if uri not in artifact_index:
            artifact_index[uri] = len(artifacts)
            artifacts.append({"location": {"uri": uri}})
        region = {"startLine": f.line or 1}
        if f.column:
            region["startColumn"] = f.column
        if f.end_line and f.end_column and f.end_line >= (f.line or 1):
            region["endLine"] = f.end_line
            region["endColumn"] = f.end_column + 1
        result = {
            "ruleId": f.rule,
            "level": _LEVEL.get(f.severity, "note"),
            "message": {"text": f.message},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": uri, "index": artifact_index[uri]}, "region": region}}
            ],
            "partialFingerprints": {"citeaudit/v1": f.fingerprint},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "artifacts": artifacts, "results": results, "columnKind": "unicodeCodePoints"}],
    }
    return dumps(sarif) + "\n"
