"""The settings of the online checks: where the registries are, who is asking, how long to
wait, how hard to retry, where the cache lives and how close a match must be."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import CiteauditError

REGISTRIES = ("crossref", "datacite", "openlibrary")

DEFAULT_URLS = {
    "crossref": "https://api.crossref.org",
    "datacite": "https://api.datacite.org",
    "openlibrary": "https://openlibrary.org",
}

#: Environment variables and the setting each one sets. They win over the settings passed
#: to `OnlineConfig.from_env`, so a test or a CI job can point a configured project at a
#: local server or a private cache.
ENVIRONMENT = {
    "CITEAUDIT_CROSSREF_URL": "crossref_url",
    "CITEAUDIT_DATACITE_URL": "datacite_url",
    "CITEAUDIT_OPENLIBRARY_URL": "openlibrary_url",
    "CITEAUDIT_CACHE_DIR": "cache_dir",
    "CITEAUDIT_CONTACT": "contact",
}

HOMEPAGE = "https://github.com/citeaudit/citeaudit"
DAY = 86400.0


def default_cache_dir(environ: Mapping[str, str] | None = None) -> str:
    """$XDG_CACHE_HOME/citeaudit, or ~/.cache/citeaudit."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "citeaudit")


@dataclass(frozen=True, slots=True)
class OnlineConfig:
    """Everything the registry client and the comparison need. Times are in seconds."""

    contact: str | None = None  # an e-mail address: Crossref's "polite pool" (in the User-Agent)
    cache_dir: str | None = field(default_factory=default_cache_dir)  # None: no cache at all
    cache_expiry: float | None = 30 * DAY  # how long an answer is reused; None: for ever
    cache_expiry_not_found: float | None = 7 * DAY  # the same for "no such DOI/ISBN"
    offline: bool = False  # answer from the cache only, ask nothing

    crossref_url: str = DEFAULT_URLS["crossref"]
    datacite_url: str = DEFAULT_URLS["datacite"]
    openlibrary_url: str = DEFAULT_URLS["openlibrary"]

    connect_timeout: float = 5.0
    read_timeout: float = 20.0  # between two reads of the socket
    total_timeout: float = 60.0  # the whole of one response, body included
    retries: int = 3  # further tries after a 429, a 5xx, a timeout or a refused connection
    backoff: float = 1.0  # wait before the first retry; it doubles each time
    backoff_max: float = 30.0
    retry_after_max: float = 120.0  # a longer Retry-After is not waited for: "could not check"
    rate: float = 5.0  # requests per second to one host at most (0: no limit)
    max_bytes: int = 10 * 1024 * 1024  # a longer answer is cut off and not used
    down_after: int = 2  # failed look-ups in a row after which a host counts as down for the run

    search: bool = True  # search Crossref for entries with neither DOI nor ISBN
    search_rows: int = 5
    title_threshold: float = 0.90  # titles this similar (0..1) are the same
    author_threshold: float = 0.85
    container_threshold: float = 0.85
    elsewhere_threshold: float = 0.50  # title below this and author different: another work

    def __post_init__(self) -> None:
        for name in ("crossref_url", "datacite_url", "openlibrary_url"):
            url = getattr(self, name)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise CiteauditError(f"{name.replace('_', ' ')} must be an http(s) address, not {url!r}")
            if url.endswith("/"):
                object.__setattr__(self, name, url.rstrip("/"))
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                raise CiteauditError(f"{name.replace('_', ' ')} must be more than 0 seconds")
        for name in ("backoff", "backoff_max", "retry_after_max", "rate"):
            if getattr(self, name) < 0:
                raise CiteauditError(f"{name.replace('_', ' ')} cannot be negative")
        if self.retries < 0 or self.max_bytes <= 0 or self.down_after < 1 or self.search_rows < 1:
            raise CiteauditError("retries, max bytes, down after and search rows must be positive")
        if self.cache_dir == "":
            object.__setattr__(self, "cache_dir", None)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **settings) -> OnlineConfig:
        """The defaults, then `settings` (names with - or _), then the environment variables
        in ENVIRONMENT (empty ones are ignored)."""
        environ = os.environ if environ is None else environ
        known = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, object] = {}
        for name, value in settings.items():
            key = name.replace("-", "_")
            if key not in known:
                raise CiteauditError(f"unknown online setting {name!r} (known: {', '.join(sorted(known))})")
            values[key] = value
        if "cache_dir" not in values:
            values["cache_dir"] = default_cache_dir(environ)
        for variable, key in ENVIRONMENT.items():
            value = (environ.get(variable) or "").strip()
            if value:
                values[key] = value
        return cls(**values)

    def base_url(self, registry: str) -> str:
        return getattr(self, f"{registry}_url")

    def user_agent(self) -> str:
        """ "citeaudit/0.3.0 (+https://github.com/citeaudit/citeaudit; mailto:me@example.org)" """
        from .. import __version__

        contact = f"; mailto:{self.contact}" if self.contact else ""
        return f"citeaudit/{__version__} (+{HOMEPAGE}{contact})"

    def replace(self, **changes) -> OnlineConfig:
        return dataclasses.replace(self, **changes)
