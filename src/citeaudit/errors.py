"""The one exception type that reaches the user: a run that cannot be done, with its file and line;
and how a file name is shown, on one line, whatever bytes it holds."""

from __future__ import annotations

import os


def display(path: str | bytes | os.PathLike) -> str:
    """A file name as it can be printed on one line and written to UTF-8: bytes that are not
    UTF-8 (kept by Python as lone surrogates) as \\xNN, control characters (a newline in a
    name, an escape sequence) as Python escapes."""
    text = os.fsdecode(os.fspath(path))
    if text.isprintable():
        return text
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


class CiteauditError(Exception):
    """Bad input or options. The command line prints it on one line and exits with code 2."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = display(self.path) + (f":{self.line}" if self.line else "") + ": "
        return where + " ".join(self.message.split())
