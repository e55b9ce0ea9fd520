"""BibTeX out, written as pybtex writes it: fields in a stable order, LaTeX-safe values, and
a round trip — reading the output gives the same data.

`render` writes the text itself, exactly as pybtex's BibTeX writer would (`to_pybtex(...)
.to_string("bibtex")`), without making pybtex's objects and with latexcodec asked only about
the characters it would change: it is what made a large export slow. Anything unusual (a
brace left open, keys that differ only in case) goes through pybtex as before."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from ..bibliography import Entry, fold
from ..bibliography.suffixes import against_title_order, group_key

ORDER = [
    "author", "editor", "translator", "bookauthor", "title", "subtitle", "origtitle", "shorttitle", "booktitle",
    "sorttitle", "journal", "journaltitle", "series", "volume", "number", "edition", "chapter", "pages", "publisher",
    "institution", "school", "organization", "address", "location", "howpublished", "type", "month", "year",
    "date", "origdate", "doi", "isbn", "issn", "url", "urldate", "language", "note", "shorthand", "shortauthor",
    "yearsuffix", "file",
]
_ESCAPED = re.compile(r"\\([&%])")


def latex_safe(value: str) -> str:
    """A field value that BibTeX and LaTeX read as the text it is: non-ASCII letters as
    LaTeX accents, LaTeX already in the value kept. & and % are left bare here because
    pybtex's writer escapes them (an escaped one would come out doubled)."""
    if "\\" in value:
        value = _ESCAPED.sub(r"\1", value)
    if value.isascii():
        return value
    return "".join([ch if ord(ch) < 128 else _latex_char(ch) for ch in value])


@lru_cache(maxsize=4096)
def _latex_char(ch: str) -> str:
    """One non-ASCII character as latex_safe writes it (latexcodec encodes each character
    on its own, whatever surrounds it)."""
    import latexcodec  # noqa: F401  (registers the "ulatex" codec)

    try:
        enc = codecs.encode(ch, "ulatex")
        enc = enc.decode("ascii") if isinstance(enc, bytes) else enc
    except Exception:  # a character LaTeX has no command for stays as it is (UTF-8)
        enc = ch
    # braces keep an accented letter one unit for BibTeX's sorting and case changes
    return "{" + enc + "}" if enc.startswith("\\") else enc


def _field_key(name: str) -> tuple[int, str]:
    return (_PLACE.get(name, len(ORDER)), name)


_PLACE = {name: i for i, name in reversed(list(enumerate(ORDER)))}  # the first place of each, as ORDER.index gives


#: citeaudit's own control fields, not bibliographic data: left out of exports.
PRIVATE = {"yearsuffix"}
#: biblatex types BibTeX's standard styles do not define, as the nearest type they do.
_CLASSIC_TYPES = {"online": "misc", "patent": "misc", "report": "techreport", "thesis": "phdthesis",
                  "collection": "book", "mvbook": "book", "reference": "book"}
#: Types whose BibTeX standard styles refuse an editor beside an author.
_ONE_CREATOR = {"book", "inbook"}


def _letter_fields(entries: list[Entry], classic: bool) -> dict[str, dict[str, str]]:
    """Fields that make BibTeX or biber letter works of one author and year as the manuscripts
    do, where that is not the order of their titles (the order both would use):
    for BibTeX's author-year styles (natbib's plainnat, abbrvnat, unsrtnat) the letter in
    `year`, which they print as written; for biber a `sorttitle` that sorts the group by its
    letters at the place of its first title, so `extradate` follows them. Compiled and
    checked in tests/test_export.py."""
    forced = against_title_order(entries)
    groups: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        if e.key in forced:
            groups.setdefault(group_key(e), []).append(e)
    out: dict[str, dict[str, str]] = {}
    for group in groups.values():
        first = min(group, key=lambda e: (fold(e.title), e.key)).title
        for e in group:
            if classic:
                out[e.key] = {"year": f"{e.year}{e.suffix}"}
            else:
                out[e.key] = {"sorttitle": f"{first} {e.suffix}"}
    return out


def _item_key(item: tuple[str, str]) -> tuple[int, str]:
    return (_PLACE.get(item[0], len(ORDER)), item[0])


def _records(entries: list[Entry], classic: bool):
    """(key, type, [(field, LaTeX-safe value)], {role: [Name]}) of each entry, in order, as
    they are written."""
    letters = _letter_fields(entries, classic)
    for e in entries:
        fields = []
        move_editor = classic and e.type in _ONE_CREATOR and e.authors and e.editors
        overrides = letters.get(e.key, {})
        raw_fields = dict(e.raw)
        if "year" in overrides and "date" in raw_fields and "year" not in raw_fields:
            raw_fields.pop("date")
        raw_fields.update(overrides)
        for name, raw in sorted(raw_fields.items(), key=_item_key):
            if name in ("author", "editor") or name in PRIVATE:
                continue
            if name == "note" and move_editor:
                continue
            fields.append((name, latex_safe(raw)))
        if move_editor:
            edited = "Edited by " + " and ".join(f"{n.given} {n.surname}".strip() for n in e.editors)
            note = e.raw.get("note")
            fields.append(("note", latex_safe(edited + (". " + note if note else ""))))
            fields.sort(key=_item_key)
        persons = {}
        for role in ("author", "editor"):
            if role == "editor" and move_editor:
                continue
            names = e.authors if role == "author" else e.editors
            if names:
                persons[role] = names
        etype = _CLASSIC_TYPES.get(e.type, e.type) if classic else e.type
        yield e.key, etype, fields, persons


def _person(n):
    """A name as pybtex's Person, its parts LaTeX-safe; a body whole, in braces."""
    from pybtex.database import Person

    if n.literal:
        return Person(latex_safe("{" + n.last + "}"))
    return Person(first=latex_safe(n.given), prelast=latex_safe(n.von), last=latex_safe(n.last), lineage=latex_safe(n.jr))


def to_pybtex(entries: list[Entry], classic: bool = False):
    """With `classic`, for BibTeX's standard styles: the editor of an authored book, which
    they cannot show, is written into `note` ("Edited by ...")."""
    from pybtex.database import BibliographyData
    from pybtex.database import Entry as PybtexEntry

    data = BibliographyData()
    for key, etype, fields, persons in _records(entries, classic):
        data.add_entry(key, PybtexEntry(etype, fields=fields, persons={role: [_person(n) for n in names]
                                                                         for role, names in persons.items()}))
    return data


_MONTH = re.compile(r'^(\s+month = )"(January|February|March|April|May|June|July|August|September|October|November|December)",?$', re.M)


def render(entries: list[Entry], classic: bool = False) -> str:
    """The entries as a .bib file; months as the standard macros (jan, feb ...), which
    BibTeX and biber both read as months."""
    text = _write(entries, classic)
    if text is None:  # keys that differ only in case: pybtex says so, as it always did
        text = to_pybtex(entries, classic).to_string("bibtex")
    return _MONTH.sub(lambda m: f"{m.group(1)}{m.group(2)[:3].lower()}" + ("," if m.group(0).endswith(",") else ""), text)


# ---- pybtex's BibTeX writer (pybtex.database.output.bibtex.Writer, encoding UTF-8), for the
# records of `_records`: the same text, character for character.

#: What latexcodec's "ulatex+UTF-8" encoding changes in a text: these characters (as \#, \%,
#: \&, \_, \textasciitilde) and lone surrogates (an error); all else is written as it is.
_ENCODED = re.compile("[#%&_~\ud800-\udfff]")
#: Name parts that pybtex's split_tex_string splits at whitespace only.
_TEX_SPECIAL = re.compile(r"[{}\\~]")


def _write(entries: list[Entry], classic: bool) -> str | None:
    """`to_pybtex(entries, classic).to_string("bibtex")`, or None where pybtex would refuse
    the entries (two keys the same but for case)."""
    records = []
    keys: set[str] = set()
    for key, etype, fields, persons in _records(entries, classic):
        names = {role: " and ".join([_format_name(n) for n in people]) for role, people in persons.items()}
        if key.lower() in keys or len({name.lower() for name, _value in fields}) < len(fields):
            return None
        keys.add(key.lower())
        records.append((key, etype, fields, names))
    texts = []
    for key, etype, fields, names in records:
        out = [f"@{etype}{{{key}"]
        for role, value in names.items():
            out.append(f",\n    {role} = {_quote(_encode(value))}")
        for name, value in fields:
            out.append(f",\n    {name} = {_quote(_encode(value))}")
        out.append("\n}\n")
        texts.append("".join(out))
    return "\n".join(texts)  # a blank line between entries


def _encode(text: str) -> str:
    """codecs.encode(text, "ulatex+UTF-8"), as pybtex's writer encodes every value."""
    if _ENCODED.search(text) is None:
        return text
    import latexcodec  # noqa: F401  (registers the "ulatex" codec)

    return codecs.encode(text, "ulatex+UTF-8")


def _quote(text: str) -> str:
    """The writer's quote(): its brace check, then "..." or, for a value with a double
    quote, {...}."""
    if "{" in text:
        depth = deepest = 0
        for ch in _BRACE_ONLY.findall(text):
            if ch == "{":
                depth += 1
                deepest = max(deepest, depth)
            elif depth:
                depth -= 1
        if depth or deepest > 50:  # unbalanced (or very deep): pybtex's own check decides
            from pybtex.database.output.bibtex import Writer

            Writer().check_braces(text)
    return f'"{text}"' if '"' not in text else f"{{{text}}}"


_BRACE_ONLY = re.compile(r"[{}]")


def _tex_words(text: str) -> str:
    """" ".join(split_tex_string(text)): the words of a name part as pybtex rejoins them."""
    if _TEX_SPECIAL.search(text) is None:
        return " ".join(text.split())
    from pybtex.bibtex.utils import split_tex_string

    return " ".join(split_tex_string(text))


def _format_name(n) -> str:
    """The writer's _format_name of `_person(n)`: "von Last, Jr, First"."""
    if n.literal:
        p = _person(n)
        first, prelast, last, lineage = (p.get_part_as_text(t) for t in ("first", "prelast", "last", "lineage"))
        middle = p.get_part_as_text("middle")
    else:
        first, prelast, last, lineage = _tex_words(latex_safe(n.given)), _tex_words(latex_safe(n.von)), \
            _tex_words(latex_safe(n.last)), _tex_words(latex_safe(n.jr))
        middle = ""
    s = ""
    if last:
        s += " ".join([x for x in (prelast, last) if x])
    if lineage:
        s += f", {lineage}"
    if first or middle:
        s += ", "
        s += " ".join([x for x in (first, middle) if x])
    return s
