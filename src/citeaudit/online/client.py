"""The HTTP client of the online checks: one requests Session, polite and patient, that
answers every question with an `Outcome` and never raises.

- User-Agent "citeaudit/VERSION (+homepage; mailto:CONTACT)" (Crossref's polite pool).
- Connect and read timeouts, and a deadline for the whole response.
- Retries with exponential backoff on 429 and 5xx, on timeouts and refused connections;
  a Retry-After (seconds or an HTTP date) is waited for, up to `retry_after_max`.
- At most `rate` requests a second to each host, lowered to what Crossref's
  X-Rate-Limit-Limit / X-Rate-Limit-Interval headers announce.
- The body is read in chunks and dropped once it passes `max_bytes`.
- Only a 200 with a JSON content type and a body that parses is "ok"; 404 and 410 are
  "not-found"; everything else, a registry down, slow or garbled, is "unavailable" with its
  reason, never "not-found".
- After `down_after` failed look-ups in a row a host counts as down for the rest of the run:
  what is left is answered "unavailable" at once, not after more timeouts.
- The on-disk cache (cache.py) answers first; offline, it is the only source.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from .cache import CachedResponse, ResponseCache
from .config import OnlineConfig

OK = "ok"
NOT_FOUND = "not-found"
UNAVAILABLE = "unavailable"

_RETRY_STATUS = {429, 500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524}
_NOT_FOUND_STATUS = {404, 410}
_CHUNK = 64 * 1024
_DNS_FAILURE = re.compile(r"NameResolutionError|Failed to resolve|Name or service not known|nodename nor servname"
                          r"|Temporary failure in name resolution|getaddrinfo failed|No address associated")


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to one GET: ok (with the parsed JSON), not-found, or unavailable (why)."""

    status: str
    url: str
    data: Any = None
    reason: str = ""
    http_status: int | None = None
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def not_found(self) -> bool:
        return self.status == NOT_FOUND

    @property
    def unavailable(self) -> bool:
        return self.status == UNAVAILABLE


class _Failure(Exception):
    """One try that did not work; `retry` says whether another try may."""

    def __init__(self, reason: str, retry: bool, wait: float | None = None, http_status: int | None = None,
                 transport: bool = True, fatal: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.wait = wait
        self.http_status = http_status
        self.transport = transport  # counts towards "the host is down"
        self.fatal = fatal  # the host is down at once


def build_url(url: str, params: Mapping[str, object] | None = None) -> str:
    """The URL with its query in a fixed order: one key in the cache for one question."""
    if not params:
        return url
    query = urlencode(sorted((k, str(v)) for k, v in params.items() if v is not None))
    return f"{url}{'&' if '?' in url else '?'}{query}"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _interval_seconds(value: str) -> float | None:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", value or "")
    if not m:
        return None
    scale = {"ms": 0.001, "s": 1.0, None: 1.0, "m": 60.0, "h": 3600.0}[m.group(2)]
    return float(m.group(1)) * scale


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _is_json(media: str) -> bool:
    return media in ("application/json", "text/json") or media.endswith("+json")


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MiB" if n >= 1048576 else f"{n} bytes"


class Client:
    """GET JSON from the registries. One per run; `close()` (or `with`) when done."""

    def __init__(
        self,
        config: OnlineConfig | None = None,
        *,
        session: requests.Session | None = None,
        cache: ResponseCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config or OnlineConfig.from_env()
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = self.config.user_agent()
        self.session.headers["Accept"] = "application/json"
        self.session.max_redirects = 5
        if cache is None and self.config.cache_dir:
            cache = ResponseCache(self.config.cache_dir)
        self.cache = cache
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._host_rate: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self._down: dict[str, str] = {}
        self.requests_sent = 0  # HTTP requests actually made (retries included)
        self.cache_hits = 0
        self.waited = 0.0  # seconds spent in backoff and Retry-After waits

    # -- the one public question -------------------------------------------------------

    def get_json(self, url: str, params: Mapping[str, object] | None = None) -> Outcome:
        full = build_url(url, params)
        try:
            return self._get(full)
        except Exception as exc:  # a bug here must not end the run: the entry is "could not check"
            return Outcome(UNAVAILABLE, full, reason=f"internal error in the client ({type(exc).__name__}: {exc})")

    def forget(self, url: str) -> None:
        """Drop a cached answer that turned out unusable (JSON of the wrong shape), so the
        next run asks again instead of failing on the same answer."""
        if self.cache is not None:
            self.cache.delete(url)

    def host_down(self, url: str) -> str | None:
        """Why the host of `url` counts as down for this run, or None."""
        return self._down.get(urlsplit(url).netloc)

    @property
    def hosts_down(self) -> dict[str, str]:
        """The hosts taken as down for the rest of this run, with the last failure's reason."""
        return dict(self._down)

    @property
    def cache_error(self) -> str | None:
        return self.cache.error if self.cache is not None else None

    def close(self) -> None:
        self.session.close()
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------

    def _get(self, full: str) -> Outcome:
        cfg = self.config
        cached = self.cache.get(full) if self.cache is not None else None
        if cached is not None and (cfg.offline or self._fresh(cached)):
            outcome = self._from_cache(cached)
            if outcome is not None:
                self.cache_hits += 1
                return outcome
        if cfg.offline:
            return Outcome(UNAVAILABLE, full, reason="offline, and not in the cache")
        host = urlsplit(full).netloc
        if host in self._down:
            return Outcome(UNAVAILABLE, full, reason=f"{host} is taken as down for this run ({self._down[host]})")
        failure: _Failure | None = None
        for attempt in range(cfg.retries + 1):
            try:
                outcome = self._try(full, host)
            except _Failure as f:
                failure = f
                if not f.retry or attempt == cfg.retries:
                    break
                delay = self._backoff(attempt)
                if f.wait is not None:
                    delay = max(delay, f.wait)
                self._sleep(delay)
                self.waited += delay
                continue
            self._failures[host] = 0
            return outcome
        assert failure is not None
        tries = f" after {attempt + 1} tries" if attempt else ""
        if failure.transport:
            count = self._failures.get(host, 0) + 1
            self._failures[host] = count
            if count >= cfg.down_after or failure.fatal:
                self._down[host] = failure.reason
        return Outcome(UNAVAILABLE, full, reason=failure.reason + tries, http_status=failure.http_status)

    def _fresh(self, cached: CachedResponse) -> bool:
        expiry = self.config.cache_expiry if cached.status == 200 else self.config.cache_expiry_not_found
        return expiry is None or cached.age() < expiry

    def _from_cache(self, cached: CachedResponse) -> Outcome | None:
        if cached.status in _NOT_FOUND_STATUS:
            return Outcome(NOT_FOUND, cached.url, http_status=cached.status, from_cache=True)
        try:
            data = json.loads(cached.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None  # a damaged row: ask again
        return Outcome(OK, cached.url, data=data, http_status=200, from_cache=True)

    def _backoff(self, attempt: int) -> float:
        base = min(self.config.backoff_max, self.config.backoff * (2**attempt))
        return base / 2 + random.uniform(0, base / 2)  # jitter: two runs do not retry in step

    def _wait_for_slot(self, host: str) -> None:
        rate = self._host_rate.get(host, self.config.rate)
        if rate <= 0:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + 1.0 / rate
        if slot > now:
            self._sleep(slot - now)

    def _learn_rate(self, host: str, headers: Mapping[str, str]) -> None:
        limit, interval = headers.get("X-Rate-Limit-Limit"), headers.get("X-Rate-Limit-Interval")
        if not limit or not interval:
            return
        seconds = _interval_seconds(interval)
        try:
            announced = float(limit) / seconds if seconds else None
        except ValueError:
            return
        if announced and announced > 0:
            rate = min(self.config.rate, announced) if self.config.rate > 0 else announced
            self._host_rate[host] = rate

    def _try(self, full: str, host: str) -> Outcome:
        cfg = self.config
        self._wait_for_slot(host)
        started = self._clock()
        self.requests_sent += 1
        try:
            response = self.session.get(full, timeout=(cfg.connect_timeout, cfg.read_timeout), stream=True)
        except requests.exceptions.ConnectTimeout:
            raise _Failure(f"could not connect to {host} within {cfg.connect_timeout:g} s", retry=True) from None
        except requests.exceptions.Timeout:
            raise _Failure(f"{host} did not answer within {cfg.read_timeout:g} s", retry=True) from None
        except requests.exceptions.TooManyRedirects:
            raise _Failure(f"{host} redirected too many times", retry=False, transport=False) from None
        except requests.exceptions.ConnectionError as exc:
            if _DNS_FAILURE.search(str(exc)):  # no network, or no such host: retrying will not help
                raise _Failure(f"cannot resolve {urlsplit(full).hostname} ({_short(exc)})", retry=False, fatal=True) from None
            raise _Failure(f"could not connect to {host} ({_short(exc)})", retry=True) from None
        except requests.exceptions.RequestException as exc:
            raise _Failure(f"the request to {host} failed ({_short(exc)})", retry=False) from None
        with response:
            self._learn_rate(host, response.headers)
            status = response.status_code
            if status in _NOT_FOUND_STATUS:
                if self.cache is not None:
                    self.cache.put(full, status, "", b"")
                return Outcome(NOT_FOUND, full, http_status=status)
            if status in _RETRY_STATUS:
                wait = parse_retry_after(response.headers.get("Retry-After"))
                what = "is rate-limiting" if status == 429 else f"answered HTTP {status}"
                if wait is not None and wait > cfg.retry_after_max:
                    raise _Failure(f"{host} {what} and asks to wait {wait:g} s (more than {cfg.retry_after_max:g} s)",
                                   retry=False, http_status=status)
                raise _Failure(f"{host} {what}", retry=True, wait=wait, http_status=status)
            if status != 200:
                raise _Failure(f"{host} answered HTTP {status}", retry=False, http_status=status, transport=False)
            media = _media_type(response.headers.get("Content-Type", ""))
            if not _is_json(media):
                raise _Failure(f"{host} answered {media or 'without a content type'}, not JSON",
                               retry=False, http_status=status, transport=False)
            body = self._read(response, host, started)
        try:
            data = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise _Failure(f"{host} answered JSON that is not UTF-8", retry=False, http_status=200, transport=False) from None
        except ValueError as exc:
            raise _Failure(f"{host} answered malformed JSON ({_short(exc)})", retry=False, http_status=200,
                           transport=False) from None
        if self.cache is not None:
            self.cache.put(full, 200, media, body)
        return Outcome(OK, full, data=data, http_status=200)

    def _read(self, response: requests.Response, host: str, started: float) -> bytes:
        cfg = self.config
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cfg.max_bytes:
            raise _Failure(f"{host} sent {_size(int(declared))}, over the {_size(cfg.max_bytes)} limit",
                           retry=False, http_status=200, transport=False)
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.iter_content(_CHUNK):
                total += len(chunk)
                if total > cfg.max_bytes:
                    raise _Failure(f"{host} sent more than the {_size(cfg.max_bytes)} limit",
                                   retry=False, http_status=200, transport=False)
                if self._clock() - started > cfg.total_timeout:
                    raise _Failure(f"{host} took more than {cfg.total_timeout:g} s to send its answer", retry=True)
                chunks.append(chunk)
        except requests.exceptions.Timeout:
            raise _Failure(f"{host} stopped sending within {cfg.read_timeout:g} s", retry=True) from None
        except requests.exceptions.RequestException as exc:
            raise _Failure(f"the answer of {host} broke off ({_short(exc)})", retry=True) from None
        return b"".join(chunks)


def _short(exc: BaseException) -> str:
    """An exception in a few words: urllib3's messages nest the whole story."""
    text = str(exc)
    for pattern in (r"\[Errno -?\d+\] ([^'\")\]]+)", r"Failed to establish a new connection: ([^'\")\]]+)",
                    r"(Connection refused|Connection reset by peer|Name or service not known|timed out)"):
        m = re.search(pattern, text)
        if m:
            return m.group(1).strip().rstrip(".")
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:117] + "..."
