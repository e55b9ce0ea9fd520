"""The rules: each module registers its rules in the one registry when imported."""

from . import citations, notes_quotes, bibliography, quotations  # noqa: F401,I001  (registration, in CONTRACT order)
from .registry import RULES, SEVERITIES, Context, Rule, rules_markdown, run_rules

__all__ = ["RULES", "SEVERITIES", "Context", "Rule", "rules_markdown", "run_rules"]
