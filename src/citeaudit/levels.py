"""The severities of findings and their order: shared by the model, the configuration and
the command line (which need no more of the model to read --fail-on)."""

from __future__ import annotations

from typing import Literal

Severity = Literal["error", "warning", "info"]
#: Most severe first.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
#: Higher is more severe; "never" (a --fail-on level) ranks above every severity.
RANK: dict[str, int] = {"info": 1, "warning": 2, "error": 3}
