"""Bibliographies out: BibTeX and biblatex, CSL-JSON, RIS, and text, HTML or Markdown in a
CSL style; all the entries, or those the manuscripts cite, in reference-list order."""

from __future__ import annotations

import re

from ..bibliography import Bibliography, Entry, fold
from ..jsontext import dumps
from ..model import Report

FORMATS = ("bibtex", "biblatex", "csl-json", "ris", "text", "html", "markdown")


def reference_order(entries: list[Entry]) -> list[Entry]:
    """Author, then year and suffix, then title: the order of an author-date reference list."""
    def key(e: Entry):
        who = [fold(n.surname) + fold(n.given) for n in e.creators] or [fold(e.fields.get("shortauthor", e.key))]
        return (who, e.year or "9999", e.suffix, fold(e.title), e.key)

    return sorted(entries, key=key)


def select(bib: Bibliography, report: Report | None) -> list[Entry]:
    cited = report.cited_keys() if report is not None else None
    entries = bib.entries if cited is None else [e for e in bib.entries if e.key in cited]
    return reference_order(entries)


def stubs(report: Report) -> str:
    """Skeleton BibTeX entries for the citations that did not resolve, with where they
    were cited, for the editor to complete."""
    wanted: dict[str, dict] = {}
    for doc in report.documents:
        for ci, _ii, it, r in report.resolutions.items(doc):
            c = doc.citations[ci]
            if r.status != "unresolved" or not (it.authors or it.title):
                continue
            who = [a for a in it.authors if a != "et al."]
            base = re.sub(r"[^a-z0-9]", "", fold(who[0] if who else (it.title or "anon"))) or "anon"
            key = f"{base}{it.year if it.year and it.year[:4].isdigit() else 'nd'}{it.suffix}"
            stub = wanted.setdefault(key, {"authors": who, "year": it.year, "title": it.title, "where": []})
            stub["where"].append(f"{doc.path}:{doc.lines.line(c.span.start)} {c.text}")
    out = []
    for key in sorted(wanted):
        s = wanted[key]
        lines = [f"@misc{{{key},"]
        if s["authors"]:
            lines.append("  author = {" + " and ".join(s["authors"]) + "},")
        lines.append("  title = {" + (s["title"] or "TODO") + "},")
        if s["year"] and s["year"][:4].isdigit():
            lines.append("  year = {" + s["year"][:4] + "},")
        lines.append("  note = {TODO: complete this entry. Cited at " + "; ".join(s["where"]).replace("{", "(").replace("}", ")") + "},")
        lines.append("}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + ("\n" if out else "")


def render(entries: list[Entry], to: str, style: str = "chicago-author-date") -> tuple[str, list[str]]:
    """The entries in a format, and notes for the user on what the format could not carry."""
    if to in ("bibtex", "biblatex"):
        from .bibtex import render as bibtex

        return bibtex(entries, classic=(to == "bibtex")), []
    if to == "csl-json":
        from .csljson import to_csl

        return dumps([to_csl(e) for e in entries]) + "\n", []
    if to == "ris":
        from .ris import render as ris

        return ris(entries), []
    from .styled import render as styled

    return styled(entries, style, to)
