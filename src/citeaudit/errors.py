"""The one exception type that reaches the user: a run that cannot be done, with its file and line."""

from __future__ import annotations


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
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        return where + self.message
