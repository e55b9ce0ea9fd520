"""A manuscript's own reference list: where it is (a heading in one of the languages cited in)
and where each of its entries starts and ends, whatever the layout — one entry per paragraph,
hanging indents, PDF text whose entries wrap over lines and pages, numbered lists, "———."
for the author of the entry before."""

from __future__ import annotations

import re

#: The heading of a reference list.
HEADING = re.compile(
    r"^\s*(?:[\dIVX]+\.?\s+)?(?:"
    r"references?(?:\s+cited)?|reference\s+list|list\s+of\s+references|bibliography|select(?:ed)?\s+bibliography|"
    r"works\s+cited|literature(?:\s+cited)?|sources(?:\s+cited)?|"
    r"bibliographie|références(?:\s+bibliographiques)?|ouvrages\s+cités|"
    r"literatur(?:verzeichnis)?|quellen(?:verzeichnis)?|bibliographie\s+und\s+quellen|"
    r"bibliografía|referencias(?:\s+bibliográficas)?|obras\s+citadas|fuentes|"
    r"bibliografia|riferimenti(?:\s+bibliografici)?|opere\s+citate|"
    r"referências(?:\s+bibliográficas)?|fontes"
    r")\s*:?\s*$",
    re.IGNORECASE,
)
#: What may follow a reference list and is not part of it.
END = re.compile(
    r"^\s*(?:[\dIVX]+\.?\s+)?(?:notes|endnotes|footnotes|appendix|appendices|acknowledge?ments?|annex(?:es)?|"
    r"notas|anmerkungen|anhang|anexos?|apêndices?|apéndices?|annexe|remerciements|agradecimentos|agradecimientos|"
    r"ringraziamenti|appendice)\s*:?\s*$",
    re.IGNORECASE,
)

_NUMBERED = re.compile(r"^\s*(?:\[\d{1,4}\]|\d{1,4}[.)])\s+\S")
_REPEAT = re.compile(r"^\s*(?:[—–]{2,}|-{2,}|_{2,})")
#: A line that opens an entry with its first author: "Althusser, Louis.", "van der Linden, M.",
#: "LO IACONO, C.", "Pew Research Center. 2020.", "Smith J, Jones K."
_AUTHOR_START = re.compile(
    r"^\s*(?:(?:van|von|de|der|den|del|della|di|da|du|des|la|le|lo|ten|ter|dos|das)\s+)*"
    r"[A-ZÀ-ÖØ-Þ][^\s,.;:()]*(?:[\s-]+(?:(?:van|von|de|der|del|di|da|du|y|i|e)\s+)?[A-ZÀ-ÖØ-Þ][^\s,.;:()]*){0,4}"
    r"(?:,\s+\S|\s+[A-Z]{1,3}[,.\s]|\.\s+(?:\(?\d{4}|[A-Z])|\s+\(\d{4})"
)
_ENDS_ENTRY = re.compile(r"(?:[.)\]][\"”’»]?|\d{4}[a-z]?|https?://\S+|doi:\S+|10\.\d{4,9}/\S+)\s*$")


def starts_entry(line: str) -> bool:
    """Does this line open an entry (rather than continue the one before)?"""
    return bool(_NUMBERED.match(line) or _REPEAT.match(line) or _AUTHOR_START.match(line))


def sections(lines: list[str], breaks: list[str]) -> list[tuple[int, int]]:
    """Where a reference list may be among a document's content lines: (index of its heading,
    index just past its last line) for each heading, the last first. `breaks` says for each
    line whether a new paragraph starts there ("para") or not. Whether what follows a
    heading is a list of references, `looks_like_references` says."""
    starts = []
    for k, line in enumerate(lines):
        if not HEADING.match(line):
            continue
        alone = breaks[k] != "cont" and (k + 1 == len(lines) or breaks[k + 1] != "cont")
        # a double-spaced text's lines all look like one paragraph: a heading there stands
        # between the end of a sentence and the first entry
        between = (k + 1 < len(lines) and starts_entry(lines[k + 1])
                   and (k == 0 or breaks[k] != "cont" or bool(re.search(r"[.!?:”\"’)]\s*$", lines[k - 1]))))
        if alone or between:
            starts.append(k)
    out = []
    for start in reversed(starts):
        stop = len(lines)
        for k in range(start + 1, len(lines)):
            if not END.match(lines[k]):
                continue
            alone = breaks[k] != "cont" and (k + 1 == len(lines) or breaks[k + 1] != "cont")
            if alone or _ENDS_ENTRY.search(lines[k - 1]):
                stop = k
                break
        out.append((start, stop))
    return out


_DATED = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)[a-z]?\b|\bn\.\s?d\.|\b(?:forthcoming|in press|s\.\s?d\.|o\.\s?J\.)", re.IGNORECASE)


def looks_like_references(entries: list[str]) -> bool:
    """Are these (the entries a section was split into) references rather than prose about
    references? Most open like an entry and give a year (or say they have none)."""
    if not entries:
        return False
    good = sum(1 for e in entries if starts_entry(e) and _DATED.search(e) and len(e) < 2000)
    return good >= 0.6 * len(entries)


def split_entries(lines: list[str], paragraphs: list[int]) -> list[list[int]]:
    """Group the lines of a reference list into entries; `paragraphs` are the indices of the
    lines that begin a paragraph of the layout (after a blank line where blank lines separate
    paragraphs). Returns the line indices of each entry."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return []
    indents = [len(lines[i]) - len(lines[i].lstrip(" \t")) for i in content]
    low = min(indents)
    hanging = sum(1 for d in indents if d > low) >= 2 and sum(1 for d in indents if d == low) >= 2
    one_per_paragraph = len(set(paragraphs) & set(content)) >= 0.8 * _entries_guess(lines, content)
    full = _full_width(lines, content)
    entries: list[list[int]] = []
    for k, i in enumerate(content):
        line = lines[i]
        previous = lines[content[k - 1]] if k else ""
        indent = indents[k]
        if not entries:
            new = True
        elif hanging:
            new = indent == low
        elif one_per_paragraph:
            new = i in paragraphs
        else:
            # text wrapped flush left (PDF): a line that reaches the right margin goes on in
            # the next, whatever that one begins with; "———" and numbers always begin one
            new = (starts_entry(line) and (_ends_entry(previous) or i in paragraphs)
                   and (full is None or len(previous.rstrip()) < full or _strong_start(line)))
        if new:
            entries.append([i])
        else:
            entries[-1].append(i)
    return entries


_INITIAL_AT_END = re.compile(r"(?:^|[\s.(])[A-Z]\.$")
_YEAR_SOON = re.compile(r"^.{0,80}?(?:\(\d{4}[a-z]?\)|\b\d{4}[a-z]?\.|\(\d{4}\)\s*\d{4}|\bn\.\s?d\.)")


def _ends_entry(line: str) -> bool:
    """Could an entry end with this line? Not on an initial ("Translated by G. M.")."""
    line = line.rstrip()
    return bool(_ENDS_ENTRY.search(line)) and not _INITIAL_AT_END.search(line)


def _strong_start(line: str) -> bool:
    """A line that opens an entry even after a line that reached the margin: a number, "———",
    or an author followed by the year."""
    return bool(_NUMBERED.match(line) or _REPEAT.match(line) or (_AUTHOR_START.match(line) and _YEAR_SOON.match(line)))


def _full_width(lines: list[str], content: list[int]) -> int | None:
    """Where lines wrapped at a right margin end (a length most long lines reach), or None
    where the lines are not wrapped (each as long as its entry)."""
    lengths = sorted(len(lines[i].rstrip()) for i in content)
    if len(lengths) < 4 or sum(1 for i in content if starts_entry(lines[i])) >= 0.8 * len(content):
        return None  # (nearly) every line opens an entry: one entry a line
    top = lengths[int(0.9 * (len(lengths) - 1))]
    near = sum(1 for n in lengths if 0.9 * top <= n <= 1.05 * top)
    if near < 0.4 * len(lengths) or lengths[-1] > 1.1 * top:
        return None
    return int(0.9 * top)


def _entries_guess(lines: list[str], content: list[int]) -> int:
    """How many entries the lines hold, by the lines that look like the start of one."""
    return max(1, sum(1 for i in content if starts_entry(lines[i])))
