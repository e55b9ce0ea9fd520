"""Configuration: `[tool.citeaudit]` in pyproject.toml or a citeaudit.toml, with defaults.

    [tool.citeaudit]                      # or, in citeaudit.toml, the same keys at the top
    bib = ["bib/seeds.bib"]               # paths relative to the configuration file
    sources = "sources/"
    fail-on = "error"
    exclude = ["drafts/*"]

    [tool.citeaudit.rules]                # a severity, or "off"
    uncited-entry = "off"
    inconsistent-citation-style = "info"

    [tool.citeaudit.style]                # the house style; unset: the document's majority
    author-year-comma = true              # "(Althusser, 2015)" rather than "(Althusser 2015)"
    page-abbreviation = "p."              # "p." or "p"
    range-dash = "en dash"                # "en dash" or "hyphen"

    [tool.citeaudit.per-file-ignores]
    "seeds/002_*.txt" = ["unattributed-quotation"]

Unknown keys and bad values are errors naming the file and line.
"""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CiteauditError

STYLE_KEYS = {
    "author-year-comma": (True, False),
    "page-abbreviation": ("p.", "p"),
    "range-dash": ("en dash", "hyphen"),
}
TOP_KEYS = {"bib", "sources", "fail-on", "exclude", "rules", "style", "per-file-ignores"}


@dataclass(slots=True)
class Config:
    path: str | None = None
    bib: list[str] = field(default_factory=list)
    sources: str | None = None
    fail_on: str | None = None
    exclude: list[str] = field(default_factory=list)
    severities: dict[str, str] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    style: dict[str, object] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)

    def ignored_for(self, path: str) -> set[str]:
        """Rules switched off for one manuscript by per-file-ignores."""
        out: set[str] = set()
        norm = path.replace(os.sep, "/")
        for pattern, rules in self.per_file_ignores.items():
            if fnmatch.fnmatch(norm, pattern) or fnmatch.fnmatch(os.path.basename(norm), pattern):
                out.update(rules)
        return out

    def excluded(self, path: str) -> bool:
        norm = path.replace(os.sep, "/")
        return any(fnmatch.fnmatch(norm, p) for p in self.exclude)


def _line_of(text: str, key: str, section: str | None) -> int | None:
    """The line where `key` is set, inside `section` if given: tomllib keeps no positions."""
    in_section = section is None
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.match(r"^\[+\s*([^\]]+?)\s*\]+$", line)
        if header:
            in_section = section is None or header.group(1).replace('"', "") == section
            if section is not None and header.group(1).replace('"', "") == f"{section}.{key}":
                return i
            continue
        if in_section and re.match(rf'^["\']?{re.escape(key)}["\']?\s*=', line):
            return i
    return None


def load_config(path: str | None = None, cwd: str = ".") -> Config:
    """The configuration named, or citeaudit.toml / pyproject.toml in `cwd`, or the defaults."""
    from .model import SEVERITIES
    from .rules import RULES

    if path is None:
        for name in ("citeaudit.toml", "pyproject.toml"):
            candidate = Path(cwd) / name
            if candidate.is_file():
                if name == "pyproject.toml" and "[tool.citeaudit" not in candidate.read_text(encoding="utf-8", errors="replace"):
                    continue
                path = str(candidate)
                break
        if path is None:
            return Config()
    p = Path(path)
    if not p.is_file():
        raise CiteauditError("no such configuration file", path)
    text = p.read_text(encoding="utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise CiteauditError(f"not valid TOML: {str(exc).split(' (at')[0]}", path, int(m.group(1)) if m else None) from None
    section = None
    if p.name == "pyproject.toml":
        data = data.get("tool", {}).get("citeaudit", {})
        section = "tool.citeaudit"
    base = p.parent

    def fail(message: str, key: str, sub: str | None = None) -> CiteauditError:
        where = f"{section}.{sub}" if section and sub else (sub or section)
        return CiteauditError(message, path, _line_of(text, key, where))

    cfg = Config(path=str(p))
    for key, value in data.items():
        if key not in TOP_KEYS:
            raise fail(f"unknown key {key!r} (known: {', '.join(sorted(TOP_KEYS))})", key)
    if "bib" in data:
        bib = data["bib"]
        bib = [bib] if isinstance(bib, str) else bib
        if not isinstance(bib, list) or not all(isinstance(b, str) for b in bib):
            raise fail("bib must be a path or a list of paths", "bib")
        cfg.bib = [str(base / b) if not os.path.isabs(b) else b for b in bib]
    if "sources" in data:
        if not isinstance(data["sources"], str):
            raise fail("sources must be a folder path", "sources")
        cfg.sources = str(base / data["sources"])
    if "fail-on" in data:
        if data["fail-on"] not in (*SEVERITIES, "never"):
            raise fail(f"fail-on must be one of error, warning, info, never, not {data['fail-on']!r}", "fail-on")
        cfg.fail_on = data["fail-on"]
    if "exclude" in data:
        if not isinstance(data["exclude"], list):
            raise fail("exclude must be a list of glob patterns", "exclude")
        cfg.exclude = [str(x) for x in data["exclude"]]
    for name, level in (data.get("rules") or {}).items():
        if name not in RULES:
            raise fail(f"unknown rule {name!r} (see citeaudit rules)", name, "rules")
        if level == "off":
            cfg.disabled.add(name)
        elif level in SEVERITIES:
            cfg.severities[name] = level
        else:
            raise fail(f"rule {name}: severity must be error, warning, info or off, not {level!r}", name, "rules")
    for key, value in (data.get("style") or {}).items():
        if key not in STYLE_KEYS:
            raise fail(f"unknown style key {key!r} (known: {', '.join(STYLE_KEYS)})", key, "style")
        if value not in STYLE_KEYS[key]:
            raise fail(f"style {key} must be one of {', '.join(map(repr, STYLE_KEYS[key]))}", key, "style")
        cfg.style[key] = value
    for pattern, rules in (data.get("per-file-ignores") or {}).items():
        if not isinstance(rules, list):
            raise fail("per-file-ignores values must be lists of rule names", pattern, "per-file-ignores")
        for name in rules:
            if name not in RULES:
                raise fail(f"unknown rule {name!r} in per-file-ignores", pattern, "per-file-ignores")
        cfg.per_file_ignores[pattern] = list(rules)
    return cfg
