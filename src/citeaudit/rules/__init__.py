"""The rules, listed explicitly in the order of CONTRACT.md's table: a rule takes effect by
being in this list, not by being imported."""

from . import bibliography, citations, notes_quotes, online, quotations, references
from .registry import Context, Example, Rule, registry, rule_markdown, run_rules
from .registry import rules_markdown as _rules_markdown

RULES: dict[str, Rule] = registry([
    citations.unresolved_citation,
    citations.ambiguous_citation,
    citations.page_out_of_range,
    citations.malformed_locator,
    citations.inconsistent_citation_style,
    citations.ibid_without_antecedent,
    citations.citation_title_mismatch,
    citations.coauthor_mismatch,
    notes_quotes.note_marker_without_note,
    notes_quotes.note_without_marker,
    notes_quotes.note_numbering,
    notes_quotes.unbalanced_quotes,
    notes_quotes.unattributed_quotation,
    notes_quotes.unused_suppression,
    bibliography.bib_parse_error,
    bibliography.missing_field,
    bibliography.invalid_field,
    bibliography.duplicate_entry,
    bibliography.uncited_entry,
    quotations.misquotation,
    quotations.quotation_not_found,
    quotations.quotation_page_mismatch,
    quotations.inconsistent_quotation_citation,
    quotations.source_text_unavailable,
    online.metadata_mismatch,
    online.unknown_identifier,
    online.retracted_work,
    online.identifier_points_elsewhere,
    online.registry_unavailable,
    references.reference_missing_from_list,
    references.reference_differs_from_bib,
    references.reference_list_order,
    references.incomplete_reference,
    references.inconsistent_reference_format,
    references.missing_year_suffix,
])


def rules_markdown() -> str:
    """docs/rules.md: every rule's documentation, generated from the registry."""
    return _rules_markdown(RULES)


__all__ = ["RULES", "Context", "Example", "Rule", "rule_markdown", "rules_markdown", "run_rules"]
