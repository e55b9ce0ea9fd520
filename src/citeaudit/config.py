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
    year-letters = "title order"          # a reference list's 2017a, 2017b follow its titles ("any order": unchecked)

    [tool.citeaudit.per-file-ignores]
    "seeds/002_*.txt" = ["unattributed-quotation"]

    [tool.citeaudit.online]               # for --online, citeaudit verify and enrich
    contact = "editor@example.org"        # Crossref's polite pool
    cache-dir = ".citeaudit-cache"        # default: the user's cache folder
    cache-expiry-days = 30

Unknown keys and bad values are errors naming the file and line.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CiteauditError

STYLE_KEYS = {
    "author-year-comma": (True, False),
    "page-abbreviation": ("p.", "p"),
    "range-dash": ("en dash", "hyphen"),
    "year-letters": ("title order", "any order"),
}
TOP_KEYS = {"bib", "sources", "fail-on", "exclude", "rules", "style", "per-file-ignores", "online"}
#: [online]: the registry client's settings (online.OnlineConfig), with their TOML types.
ONLINE_KEYS = {
    "contact": str, "cache-dir": str, "cache-expiry-days": (int, float), "crossref-url": str, "datacite-url": str,
    "openlibrary-url": str, "rate": (int, float), "retries": int, "connect-timeout": (int, float),
    "read-timeout": (int, float), "search": bool,
}


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
    online: dict[str, object] = field(default_factory=dict)  # OnlineConfig settings from [online]

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


def find_config(start: str = ".") -> str | None:
    """The configuration that applies in `start`: citeaudit.toml, or a pyproject.toml with a
    [tool.citeaudit] table, in that folder or the nearest folder above it."""
    folder = Path(start).resolve()
    for candidate_dir in (folder, *folder.parents):
        own = candidate_dir / "citeaudit.toml"
        if own.is_file():
            return str(own)
        pyproject = candidate_dir / "pyproject.toml"
        if pyproject.is_file():
            text = pyproject.read_text(encoding="utf-8", errors="replace")
            if "citeaudit" not in text:  # no table of ours can be there: not parsed
                continue
            import tomllib  # (only where a file is parsed: most runs have none)

            try:
                data = tomllib.loads(text)
            except (tomllib.TOMLDecodeError, RecursionError, ValueError):
                if "[tool.citeaudit" in text:
                    return str(pyproject)  # ours, but broken: load_config says where
                continue
            tool = data.get("tool")
            if isinstance(tool, dict) and "citeaudit" in tool:
                return str(pyproject)
    return None


def _relative(display_path: str) -> str:
    try:
        return os.path.relpath(display_path)
    except ValueError:
        return display_path


def load_config(path: str | None = None, cwd: str = ".") -> Config:
    """The configuration named, or the one found from `cwd` upwards, or the defaults."""
    from .levels import SEVERITIES
    from .readers import read_bytes

    if path is None:
        path = find_config(cwd)
        if path is None:
            return Config()
        path = _relative(path)
    p = Path(path)
    raw = read_bytes(path, "no such configuration file", "is a folder, not a configuration file", limit=4 * 1024 * 1024)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CiteauditError("not valid UTF-8", path, raw[: exc.start].count(b"\n") + 1) from None
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise CiteauditError(f"not valid TOML: {str(exc).split(' (at')[0]}", path, int(m.group(1)) if m else None) from None
    except (RecursionError, ValueError) as exc:
        raise CiteauditError(f"not valid TOML: {type(exc).__name__}: nested too deeply", path) from None
    section = None
    if p.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise CiteauditError("[tool] must be a table", path, _line_of(text, "tool", None))
        data = tool.get("citeaudit", {})
        section = "tool.citeaudit"
        if not isinstance(data, dict):
            raise CiteauditError("[tool.citeaudit] must be a table of settings", path, _line_of(text, "citeaudit", "tool"))
    base = p.parent

    def fail(message: str, key: str, sub: str | None = None) -> CiteauditError:
        where = f"{section}.{sub}" if section and sub else (sub or section)
        return CiteauditError(message, path, _line_of(text, key, where))

    def table(key: str) -> dict:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            raise fail(f"{key} must be a table ([{(section + '.') if section else ''}{key}]), not {type(value).__name__}", key)
        return value

    cfg = Config(path=str(p))
    for key in data:
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
        if not os.path.isdir(cfg.sources):
            raise fail(f"sources: no such folder {data['sources']!r}", "sources")
    if "fail-on" in data:
        if data["fail-on"] not in (*SEVERITIES, "never"):
            raise fail(f"fail-on must be one of error, warning, info, never, not {data['fail-on']!r}", "fail-on")
        cfg.fail_on = data["fail-on"]
    if "exclude" in data:
        if not isinstance(data["exclude"], list) or not all(isinstance(x, str) for x in data["exclude"]):
            raise fail("exclude must be a list of glob patterns (strings)", "exclude")
        cfg.exclude = list(data["exclude"])

    def known(name: str) -> bool:
        from .rules import RULES  # the rules are loaded only for a configuration that names some

        return name in RULES

    for name, level in table("rules").items():
        if not known(name):
            raise fail(f"unknown rule {name!r} (see citeaudit rules)", name, "rules")
        if level == "off":
            cfg.disabled.add(name)
        elif level in SEVERITIES:
            cfg.severities[name] = level
        else:
            raise fail(f"rule {name}: severity must be error, warning, info or off, not {level!r}", name, "rules")
    for key, value in table("style").items():
        if key not in STYLE_KEYS:
            raise fail(f"unknown style key {key!r} (known: {', '.join(STYLE_KEYS)})", key, "style")
        if value not in STYLE_KEYS[key]:
            raise fail(f"style {key} must be one of {', '.join(map(repr, STYLE_KEYS[key]))}", key, "style")
        cfg.style[key] = value
    for pattern, rules in table("per-file-ignores").items():
        if not isinstance(rules, list) or not all(isinstance(n, str) for n in rules):
            raise fail("per-file-ignores values must be lists of rule names", pattern, "per-file-ignores")
        for name in rules:
            if not known(name):
                raise fail(f"unknown rule {name!r} in per-file-ignores", pattern, "per-file-ignores")
        cfg.per_file_ignores[pattern] = list(rules)
    for key, value in table("online").items():
        if key not in ONLINE_KEYS:
            raise fail(f"unknown online key {key!r} (known: {', '.join(sorted(ONLINE_KEYS))})", key, "online")
        if not isinstance(value, ONLINE_KEYS[key]) or (isinstance(value, bool) and ONLINE_KEYS[key] is not bool):
            raise fail(f"online {key} has the wrong type ({type(value).__name__})", key, "online")
        if key == "cache-dir":
            value = str(base / value) if not os.path.isabs(value) else value
        if key == "cache-expiry-days":
            key, value = "cache-expiry", float(value) * 86400
        cfg.online[key] = value
    return cfg
