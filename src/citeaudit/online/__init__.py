"""Online checks of a bibliography against the registries: Crossref, DataCite, Open Library.

    from citeaudit.bibliography import load_bibliography
    from citeaudit.online import OnlineConfig, verify_entries, enrich_file, write

    config = OnlineConfig.from_env(contact="me@example.org")       # CITEAUDIT_* variables win
    report = verify_entries(load_bibliography(["refs.bib"]).entries, config)
    for verdict, hit in report.hits():                                # rule, severity, subject, message
        ...
    result = enrich_file("refs.bib", report.proposals())
    print(result.diff())                                              # or write(result): backup, then replace

Nothing here raises for a registry that is down, slow or garbled: such an entry's verdict is
"could-not-check" with the reason. Nothing here imports the rules or the command line.
"""

from __future__ import annotations

from .cache import ResponseCache
from .client import Client, Outcome
from .config import ENVIRONMENT, OnlineConfig
from .enrich import EnrichResult, Skipped, apply_edits, enrich_file, write
from .progress import TerminalProgress
from .registries import Lookup, Notice, Record
from .verify import (
    CORRECTED,
    COULD_NOT_CHECK,
    KINDS,
    MISMATCH,
    NOT_FOUND,
    POINTS_ELSEWHERE,
    RETRACTED,
    RULES,
    SKIPPED,
    UNMATCHED,
    VERIFIED,
    FieldEdit,
    FieldMismatch,
    Hit,
    OnlineReport,
    Verdict,
    Verifier,
    verify_entries,
)

__all__ = [
    "CORRECTED", "COULD_NOT_CHECK", "ENVIRONMENT", "KINDS", "MISMATCH", "NOT_FOUND", "POINTS_ELSEWHERE", "RETRACTED",
    "RULES", "SKIPPED", "UNMATCHED", "VERIFIED", "Client", "EnrichResult", "FieldEdit", "FieldMismatch", "Hit",
    "Lookup", "Notice", "OnlineConfig", "OnlineReport", "Outcome", "Record", "ResponseCache", "Skipped",
    "TerminalProgress", "Verdict", "Verifier", "apply_edits", "enrich_file", "verify_entries", "write",
]
