"""JUnit XML: one test case per checked file; its findings are the failures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..model import Report
from .common import failing, paths_in_order


def render(report: Report, fail_on: str = "warning") -> str:
    """Findings at or above `fail_on` fail their file's test case; the rest are listed in
    the case's system-out."""
    by_path: dict[str, list] = {}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    suites = ET.Element("testsuites", name="citeaudit")
    suite = ET.SubElement(suites, "testsuite", name="citeaudit")
    total = failures = 0
    for path in paths_in_order(report):
        total += 1
        case = ET.SubElement(suite, "testcase", classname="citeaudit", name=path)
        group = by_path.get(path, [])
        failed = failing(group, fail_on if fail_on != "never" else "error")
        if failed:
            failures += 1
            first = failed[0]
            node = ET.SubElement(case, "failure", message=f"{len(failed)} findings, first: {first.message}", type=first.rule)
            node.text = "\n".join(f"{f.path}:{f.line}:{f.column}: {f.severity}: {f.message} [{f.rule}]" for f in failed)
        rest = [f for f in group if f not in failed]
        if rest:
            ET.SubElement(case, "system-out").text = "\n".join(
                f"{f.path}:{f.line}:{f.column}: {f.severity}: {f.message} [{f.rule}]" for f in rest
            )
    suite.set("tests", str(total))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
