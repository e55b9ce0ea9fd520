"""The on-disk cache of registry answers: one SQLite file, safe for several runs at once.

Only answers that were used are stored: a JSON body that parsed, or a "not found". A
registry that was down, slow or garbled leaves nothing behind, so the next run asks again.
A cache that cannot be opened or written (read-only disk, a corrupt file, a lock held too
long) is switched off for the run with its reason in `error`; it never stops a check.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass

FILENAME = "http-cache-v1.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    url          TEXT PRIMARY KEY,
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    body         BLOB NOT NULL,
    stored_at    REAL NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class CachedResponse:
    url: str
    status: int  # 200, or 404/410 for "not found"
    content_type: str
    body: bytes
    stored_at: float  # seconds since the epoch

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.stored_at


class ResponseCache:
    """`get` and `put` by full request URL. Each call is its own short transaction; SQLite's
    write-ahead log lets one run read while another writes, and a busy timeout makes a
    writer wait for the other instead of failing."""

    def __init__(self, directory: str, busy_timeout: float = 30.0) -> None:
        self.path = os.path.join(directory, FILENAME)
        self.error: str | None = None
        self._busy_timeout = busy_timeout
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._opened = False

    def _connection(self) -> sqlite3.Connection | None:
        if self._opened:
            return self._conn
        self._opened = True
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False)
            try:
                conn.execute("PRAGMA journal_mode=WAL")  # not on every file system: then the default journal
            except sqlite3.Error:
                pass
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            self._conn = conn
        except (sqlite3.Error, OSError) as exc:
            self._disable(exc)
        return self._conn

    def _disable(self, exc: BaseException) -> None:
        self.error = f"the cache {self.path} is not used: {exc}"
        self._close()
        self._opened = True  # not to be opened again

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
        self._conn = None

    def get(self, url: str) -> CachedResponse | None:
        with self._lock:
            conn = self._connection()
            if conn is None:
                return None
            try:
                row = conn.execute(
                    "SELECT status, content_type, body, stored_at FROM responses WHERE url = ?", (url,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._disable(exc)
                return None
        if row is None:
            return None
        return CachedResponse(url, int(row[0]), str(row[1]), bytes(row[2]), float(row[3]))

    def put(self, url: str, status: int, content_type: str, body: bytes) -> None:
        with self._lock:
            conn = self._connection()
            if conn is None:
                return
            try:
                conn.execute(
                    "INSERT OR REPLACE INTO responses (url, status, content_type, body, stored_at) VALUES (?, ?, ?, ?, ?)",
                    (url, status, content_type, sqlite3.Binary(body), time.time()),
                )
            except sqlite3.Error as exc:
                self._disable(exc)

    def delete(self, url: str) -> None:
        with self._lock:
            conn = self._connection()
            if conn is None:
                return
            try:
                conn.execute("DELETE FROM responses WHERE url = ?", (url,))
            except sqlite3.Error as exc:
                self._disable(exc)

    def __len__(self) -> int:
        with self._lock:
            conn = self._connection()
            if conn is None:
                return 0
            try:
                return int(conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])
            except sqlite3.Error:
                return 0

    def close(self) -> None:
        with self._lock:
            self._close()
            self._opened = False
