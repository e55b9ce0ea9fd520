"""Labelled segments of a reference string → structured fields.

``parse_reference`` labels the string with the CRF (``crf.py``), joins runs of one label into
segments with character offsets, and reads each segment: persons (with particles, suffixes,
"et al.", corporate names and their bracketed abbreviations), the year with its suffix and an
original year, title and container without their quotation marks and "In", volume and issue,
pages, edition, publisher, place, DOI, URL, ISBN; then guesses the type of work. The model's
marginal probabilities give each field a confidence, and the fields below a threshold are
listed as ``uncertain``.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import crf

#: Fields whose weakest token has a marginal probability below this are listed as uncertain. On the
#: held-out gold set this flags about 4 % of the fields, and about 40 % of those are wrong (against
#: 3.5 % wrong overall); they hold about 45 % of the labelling errors.
UNSURE_BELOW = 0.90


@dataclass(frozen=True, slots=True)
class Person:
    """One name as the reference writes it. A corporate author has only ``literal``."""

    family: str = ""
    given: str = ""
    particle: str = ""  # "van der", "de", "Lo"
    literal: str = ""  # a corporate name, whole: "Instituto de Pesquisa Social"
    suffix: str = ""  # "Jr.", "III"
    abbreviation: str = ""  # "IPS" from "Instituto de Pesquisa Social [IPS]"

    @property
    def is_corporate(self) -> bool:
        return bool(self.literal)

    @property
    def surname(self) -> str:
        """The name as cited: particles kept ("van der Linden"), or the corporate name."""
        if self.literal:
            return self.literal
        return f"{self.particle} {self.family}".strip()

    def display(self) -> str:
        if self.literal:
            return self.literal + (f" [{self.abbreviation}]" if self.abbreviation else "")
        out = self.surname
        if self.given:
            out += ", " + self.given
        if self.suffix:
            out += ", " + self.suffix
        return out


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of tokens with one label: [start, end) in the original string."""

    label: str
    text: str
    start: int
    end: int
    confidence: float


@dataclass(frozen=True, slots=True)
class ParsedReference:
    """One reference string read into fields."""

    text: str
    type: str = "other"  # article | book | chapter | conference | thesis | report | web | patent | other
    authors: tuple[Person, ...] = ()
    editors: tuple[Person, ...] = ()
    translators: tuple[Person, ...] = ()
    et_al: bool = False  # the author list ends in "et al." / "and others"
    repeated_authors: bool = False  # "———." / "---.": the authors of the entry before
    year: str | None = None
    year_suffix: str = ""  # "a" of "2017a"
    original_year: str | None = None  # 1867 of "[1867] 1976" / "(1977) 2017"
    date: str = ""  # the date as written, without brackets: "March 27, 1969"
    date_status: str = ""  # "n.d." | "forthcoming" | "in press"
    title: str = ""
    container: str = ""  # journal, book of a chapter, proceedings
    collection: str = ""  # series
    volume: str = ""
    issue: str = ""
    pages: str = ""
    edition: str = ""
    publisher: str = ""
    place: str = ""
    doi: str = ""
    url: str = ""
    isbn: str = ""
    genre: str = ""  # "PhD thesis", "Technical report"
    note: str = ""
    citation_number: str = ""
    segments: tuple[Segment, ...] = ()
    confidence: tuple[tuple[str, float], ...] = ()  # (field, weakest marginal of its tokens)
    uncertain: tuple[str, ...] = ()  # fields whose confidence is below UNSURE_BELOW

    def field_confidence(self, name: str) -> float | None:
        for field, value in self.confidence:
            if field == name:
                return value
        return None

    @property
    def creators(self) -> tuple[Person, ...]:
        return self.authors or self.editors

    def label(self) -> str:
        """ "Althusser 2017a", "Hall and Soskice 2001", "Smith et al. n.d." """
        people = self.creators
        if not people:
            who = self.title.split(":")[0][:40] if self.title else "?"
        elif len(people) == 1 and not self.et_al:
            who = people[0].surname
        elif len(people) == 2 and not self.et_al:
            who = f"{people[0].surname} and {people[1].surname}"
        else:
            who = f"{people[0].surname} et al."
        when = (self.year + self.year_suffix) if self.year else (self.date_status or "n.d.")
        return f"{who} {when}"


# --------------------------------------------------------------------------- segments

_FIELD_OF_LABEL = {
    "author": "authors",
    "editor": "editors",
    "translator": "translators",
    "date": "date",
    "title": "title",
    "journal": "container",
    "container-title": "container",
    "collection-title": "collection",
    "volume": "volume",
    "pages": "pages",
    "edition": "edition",
    "genre": "genre",
    "publisher": "publisher",
    "location": "place",
    "note": "note",
    "doi": "doi",
    "url": "url",
    "isbn": "isbn",
    "citation-number": "citation_number",
}


def segments_of(text: str, labelled: Sequence[crf.Labelled]) -> list[Segment]:
    """Runs of one label as segments of the original string."""
    out: list[Segment] = []
    i = 0
    while i < len(labelled):
        j = i
        while j + 1 < len(labelled) and labelled[j + 1].label == labelled[i].label:
            j += 1
        start, end = labelled[i].token.start, labelled[j].token.end
        conf = min(x.confidence for x in labelled[i : j + 1])
        out.append(Segment(labelled[i].label, text[start:end], start, end, conf))
        i = j + 1
    return out


# --------------------------------------------------------------------------- cleaning

_QUOTES = "\"'“”‘’«»„‚‹›"
_EDGE = _QUOTES + " ,.;:*_`"
_MARKUP = re.compile(r"</?(?:i|b|em|strong|italic|bold|sup|sub|span[^>]*)>", re.I)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _dehyphenate(text: str) -> str:
    """Undo line-break hyphens left by PDF text: "Mar- tin" → "Martin", "Martin- Facklam" → "Martin-Facklam"."""
    text = re.sub(r"(\w)- (\w)", lambda m: m.group(1) + ("" if m.group(2).islower() else "-") + m.group(2), text)
    return re.sub(r"(\w)-(?:\s*\n\s*)(\w)", r"\1\2", text)


def _strip_brackets(text: str) -> str:
    text = text.strip()
    pairs = {"(": ")", "[": "]", "{": "}", "<": ">"}
    changed = True
    while changed and text:
        changed = False
        t = text.strip(" ,;:")
        if t and t[0] in pairs and t.endswith(pairs[t[0]]) and t.count(t[0]) == 1:
            text, changed = t[1:-1], True
        elif t and t[0] in pairs and t.count(t[0]) > t.count(pairs[t[0]]):
            text, changed = t[1:], True
        elif t and t[-1] in ")]}>" and t.count(t[-1]) > t.count({")": "(", "]": "[", "}": "{", ">": "<"}[t[-1]]):
            text, changed = t[:-1], True
    return text.strip()


def clean_text(text: str) -> str:
    """A title-like value without its quotation marks, italics markers and closing punctuation."""
    text = _MARKUP.sub("", _nfc(text))
    text = _dehyphenate(" ".join(text.split()))
    text = text.strip()
    # closing punctuation, including the punctuation a style puts inside closing quotes
    for _ in range(3):
        text = text.strip(_EDGE.replace(".", "")).strip()
        if text.endswith(".") and not re.search(r"(?:\b[A-Z]|\.\.|\b(?:al|etc|ed|eds|Inc|Ltd|Co|Jr|Sr|St|vs|vol|no))\.$", text):
            text = text[:-1]
    text = text.strip(_EDGE.replace(".", "") + "(").strip()
    if text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1]
    if text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:]
    if text.endswith("]") and text.count("]") > text.count("["):
        text = text[:-1]
    if text.startswith("[") and text.count("[") > text.count("]"):
        text = text[1:]
    return text.strip(" ,;:")


_IN = re.compile(r"^(?:in|en|em|dans|im)\s*:?\s+(?=\S)", re.I)


def clean_container(text: str) -> str:
    text = clean_text(text)
    text = _IN.sub("", text)
    return clean_text(text)


def clean_place(text: str) -> str:
    text = clean_text(text)
    return _strip_brackets(text).strip(" ,:;")


def clean_publisher(text: str) -> str:
    text = clean_text(text)
    text = re.sub(r"^(?:published by|publisher:|editora:?)\s+", "", text, flags=re.I)
    return _strip_brackets(text).strip(" ,:;")


# --------------------------------------------------------------------------- dates

_YEAR = r"(?:1[0-9]\d\d|20\d\d)"
_YEAR_RE = re.compile(rf"(?<![\d/])({_YEAR})([a-z])?(?![\d])")
_ORIGINAL_FIRST = re.compile(rf"[\[(]\s*({_YEAR})[a-z]?\s*[\])]\s*[,;]?\s*({_YEAR})([a-z])?")
_ORIGINAL_AFTER = re.compile(rf"({_YEAR})([a-z])?\s*[,;]?\s*[\[(]\s*({_YEAR})[a-z]?\s*[\])]")
_ORIGINAL_SLASH = re.compile(rf"({_YEAR})\s*/\s*({_YEAR})([a-z])?")
_STATUS = (
    (re.compile(r"\bn\.\s?d\b\.?|\bno date\b|\bs\.\s?d\b\.?|\bo\.\s?J\b\.?|\bs\.f\.", re.I), "n.d."),
    (re.compile(r"\bforthcoming\b|\bà paraître\b|\bno prelo\b|\bim druck\b|\ben prensa\b", re.I), "forthcoming"),
    (re.compile(r"\bin press\b|\bsous presse\b|\bin print\b", re.I), "in press"),
)


_ORIGINALLY = re.compile(
    rf"(?i)(?:original(?:ly)?\s+(?:work\s+)?published|first\s+published|publicad[oa]\s+originalmente|publié\s+en|erstmals\s+erschienen|original\s+erschienen)\D{{0,60}}?({_YEAR})"
)


def parse_date(text: str) -> tuple[str | None, str, str | None, str]:
    """(year, suffix, original year, status) of a date segment.

    "2017a." → ("2017", "a", None, ""); "[1867] 1976" → ("1976", "", "1867", "");
    "(1977) 2017" → ("2017", "", "1977", ""); "1984 [1970])," → ("1984", "", "1970", "");
    "(n.d.)." → (None, "", None, "n.d."); "forthcoming" → (None, "", None, "forthcoming")."""
    t = _nfc(text)
    status = ""
    for rx, name in _STATUS:
        if rx.search(t):
            status = name
            break
    m = _ORIGINAL_FIRST.search(t)
    if m:
        return m.group(2), m.group(3) or "", m.group(1), status
    m = _ORIGINAL_AFTER.search(t)
    if m:
        return m.group(1), m.group(2) or "", m.group(3), status
    m = _ORIGINAL_SLASH.search(t)
    if m and int(m.group(1)) < int(m.group(2)) and int(m.group(2)) - int(m.group(1)) > 1 and not re.search(r"\d\s*[-–]\s*\d", t):
        return m.group(2), m.group(3) or "", m.group(1), status
    m = _YEAR_RE.search(t)
    if m:
        suffix = m.group(2) or ""
        # "2015a" but not "2015 and", "2015b)" yes; a letter that starts a word is no suffix
        end = m.end()
        if suffix and end < len(t) and t[end].isalpha():
            suffix = ""
        return m.group(1), suffix, None, status
    return None, "", None, status


# --------------------------------------------------------------------------- volume, pages, ids

_VOL_WORD = r"(?:vols?|volume|bd|band|t|tome|tomo|v|jg|jahrgang|année|ano|año)\.?"
_ISS_WORD = r"(?:no|nos|nr|num|number|n|n°|nº|issue|iss|heft|h|fasc|cuaderno|caderno)\.?"


def parse_volume(text: str) -> tuple[str, str]:
    """(volume, issue) of a volume segment: "20(5):" → ("20", "5"); "vol. 24, No. 11," → ("24", "11");
    "Vol. XIX, No. 3" → ("XIX", "3"); "69, 39" → ("69", "39"); "(3)" → ("", "3")."""
    t = _nfc(text).strip()
    t = t.strip(" ,.;:")
    t = re.sub(r"^\(?(?:1[5-9]|20)\d\d[a-z]?\)?\s*[;:,]\s*(?=\(?[A-Za-z]?\d)", "", t)  # "2011;17(1):"
    t = re.sub(r"(?<=[\d)])\s*:\s*[A-Za-z]?\d+(?:\s*[-–—]\s*[A-Za-z]?\d+)?[.,;]*$", "", t) if re.search(r"\d\s*\(?[^()]*\)?\s*:\s*[A-Za-z]?\d+\s*[-–—]", t) else t
    vol = iss = ""
    m = re.search(rf"(?i)\b{_VOL_WORD}\s*([0-9]+[A-Za-z]?(?:\s*[-–/]\s*[0-9]+)?|[IVXLCDM]+\b)", t)
    if m:
        vol = m.group(1)
    m2 = re.search(rf"(?i)(?:\b|\(){_ISS_WORD}\s*([0-9]+(?:\s*[-–/]\s*[0-9]+)?|[A-Za-z]?\d+)", t)
    if m2:
        iss = m2.group(1)
    if not vol:
        m = re.match(r"\(?\s*([0-9]+[A-Za-z]?|[IVXLCDM]+)\b(?!\))", t)
        if m and not (m2 and m2.start() == 0):
            vol = m.group(1)
    if not iss:
        m = re.search(r"\(\s*([^()]{1,15}?)\s*\)", t)
        if m and m.group(1) != vol:
            iss = m.group(1)
        elif vol:
            m = re.search(rf"{re.escape(vol)}\s*[,.:;]\s*\(?\s*([0-9]+(?:\s*[-–/]\s*[0-9]+)?)\b", t)
            if m:
                iss = m.group(1)
    if not vol and not iss:
        m = re.search(r"[0-9]+|\b[IVXLCDM]+\b", t)
        if m:
            vol = m.group()
    iss = re.sub(r"^(?i:suppl(?:ement)?\.?\s*)", "Suppl. ", iss) if iss else iss
    return vol, iss


def parse_pages(text: str) -> str:
    """"pp. 327–335." → "327-335"; "p. A65." → "A65"; "(pp. 464–488)." → "464-488"; "1-11." → "1-11"."""
    t = _nfc(text)
    t = re.sub(r"(?i)\b(?:pp|p|pages?|pág|págs|pag|s|ss|seiten)\b\.?", " ", t)
    t = t.strip(" ()[],.;:")
    m = re.search(r"([A-Za-z]?\d+[A-Za-z]?)\s*(?:[-–—‐‑]+|\bto\b)\s*([A-Za-z]?\d+[A-Za-z]?)", t)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    m = re.search(r"[A-Za-z]?\d+[A-Za-z]?(?:\s*,\s*[A-Za-z]?\d+)*", t)
    return m.group().replace(" ", "") if m else t.strip()


_DOI_RE = re.compile(r"10\.\d{4,9}/[^\s\"<>]+", re.I)
_URL_RE = re.compile(r"(?:https?|ftp)://[^\s<>\"]+|www\.[^\s<>\"]+", re.I)


def parse_doi(text: str) -> str:
    m = _DOI_RE.search(_nfc(text))
    if not m:
        return ""
    doi = m.group()
    while doi and doi[-1] in ".,;:]":
        doi = doi[:-1]
    if doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1]
    return doi


def parse_url(text: str) -> str:
    m = _URL_RE.search(_nfc(text).replace("<", " ").replace(">", " "))
    if not m:
        return ""
    url = m.group()
    while url and url[-1] in ".,;:]":
        url = url[:-1]
    if url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1]
    return url


def parse_isbn(text: str) -> str:
    m = re.search(r"(?:97[89][-‐ ]?)?(?:\d[-‐ ]?){9}[\dXx]", _nfc(text))
    return m.group().replace(" ", "-").replace("‐", "-").upper() if m else ""


def parse_edition(text: str) -> str:
    """"2nd ed." → "2"; "5.ª ed." → "5"; "Rev. ed." → "Rev. ed."."""
    t = clean_text(text)
    m = re.search(r"(\d+)\s*(?:st|nd|rd|th|e|er|ème|\.?\s*ª|\.?\s*a\b|\.)?", t)
    if m:
        return m.group(1)
    words = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6", "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10"}
    m = re.match(r"(?i)(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b", t)
    if m:
        return words[m.group(1).lower()]
    return _strip_brackets(t)


# --------------------------------------------------------------------------- names

PARTICLES = frozenset(
    "van von der den de del della delle dei degli di da das dos do du des la le lo las los ten ter te "
    "zu zur af av bin ibn al el st. saint mac".split()
)
_CAP_PARTICLES = frozenset("van von de del della di da das dos do du des la le lo ten ter zu dal dalla".split())
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv junior senior filho neto júnior sobrinho".split())
_ROLE = re.compile(
    r"""(?ix)
    \(\s*(?:eds?|editors?|hrsg|hg|orgs?|coords?|dirs?|éds?|comps?|trans|transl|tr|trad|übers|ed\.?\s*(?:&|and)\s*trans)\.?\s*\)\.?
    | \[\s*(?:eds?|editors?|hrsg|hg|orgs?|coords?|dirs?|éds?|comps?|trans|tr|trad)\.?\s*\]\.?
    | (?<![\w.])(?:tradução|traducción|traduccion|traduzione|trad\.|traduit|übersetzt|übers\.|organização|organizado|edição|edición|herausgegeben)\s*:?\s+(?:de|por|par|von|by|di)\b
    | (?<![\w.])(?:edited|translated|compiled|introduced|selected)(?:\s+(?:and|&)\s+(?:edited|translated|compiled|introduced|selected))*\s+(?:by|from)\b
    | (?<![\w.])(?:ed|eds|edd|hrsg|hg|trans|transl|trad|tr|übers|org|orgs|coord|dir|éd|éds|comp|comps)\.(?=\s|$|,|;|\)) 
    | (?<![\w.])(?:editors?|editor\(s\)|herausgeber|translator|translators|tradução|traducción|traduction|traduzione|übersetzt\s+von|traduit\s+par|traducido\s+por|traduzido\s+por|organizadores|organizador)\b:?
    | (?<![\w.])(?:eds|ed|editor|trans)(?=\s*[,)]?\s*$)
    """
)
_ETAL = re.compile(r"(?i)(?:,?\s*(?:et\.?\s*al\b\.?|and\s+others\b|u\.\s*a\.|e\s+col\.|y\s+otros|e\s+outros|et\s+coll?\.|\.\.\.|…)\s*)")
_DASHES = re.compile(r"^[\s·•]*(?:[-–—―_]{2,}|[–—―]|[-–—]{1,}\s*[-–—]+)[\s.,;:]*(?:\(?\s*(?:eds?|ed|trans|hrsg)\.?\s*\)?)?[\s.,;:]*$", re.I)
_CORPORATE_WORDS = frozenset(
    """institute instituto institut istituto institution organization organisation organização organización
    association associação asociación society sociedade sociedad société council conselho consejo committee
    comité comitê commission comissão comisión ministry ministério ministerio ministère department departamento
    bureau agency agência agencia university universidade universidad université universität
    consortium consórcio foundation fundação fundación fondation centre centro corporation company
    inc ltd llc gmbh authority secretariat secretaria secretaría parliament parlamento congresso congreso
    government governo gobierno tribunal commonwealth república statistics estatística estadística census
    observatory observatório observatorio alliance coalition academy academia museum museu museo
    library biblioteca archives arquivo archivo collective coletivo colectivo team group grupo
    programme network federation federação federación union união unión""".split()
)
# words that name organisations only in company: "World Health Organization", not "Post, Emily"
_CORPORATE_WEAK = frozenset(
    """world national nacional international internacional united unidas nations center office bank fund
    fundo program programa board federal service services press news times post agence forum fórum
    court senate senado congress school college""".split()
)
_INITIAL_WORD = re.compile(r"^(?:[A-Z][a-z]?\.\s?-?\s?)+$|^[A-Z]\.?-[A-Z]\.?$|^[A-Z]{1,3}\.?$|^(?:[A-Z]\.){1,4}-?(?:[A-Z]\.)*$")


def _is_initials(word: str) -> bool:
    w = word.strip(",;:")
    return bool(_INITIAL_WORD.match(w)) and any(ch.isupper() for ch in w)


def _is_initials_chunk(chunk: str) -> bool:
    words = chunk.split()
    return bool(words) and all(_is_initials(w) for w in words)


def _looks_corporate(text: str) -> bool:
    words = re.findall(r"[^\W\d_][\w'’\-]*", text)
    if not words:
        return False
    low = [w.casefold() for w in words]
    inverted_person = bool(re.match(r"^[^\W\d_][\w'’\-]*(?:\s+[^\W\d_][\w'’\-]*){0,2},\s+[A-Z]", text)) and text.count(",") <= 2
    if re.search(r"[\[(]\s*[A-Z][A-Za-z&.\-]{1,12}\s*[\])]\s*$", text.strip(" .,;")):
        return True
    if any(w in _CORPORATE_WORDS for w in low) and not (inverted_person and len(words) <= 4):
        return True
    weak = sum(w in _CORPORATE_WEAK for w in low)
    if weak and (len(words) >= 3 or weak >= 2) and "," not in text:
        return True
    if low[0] == "the" and len(words) > 1:
        return True
    if len(words) == 1 and re.fullmatch(r"[A-Z][A-Z&\-]{1,9}", words[0]):
        return True  # "WHO", "OECD", "IBGE"
    return False


def _split_particle(words: list[str]) -> tuple[str, str]:
    """(particle, family) of the words of a surname: ["van", "der", "Linden"] → ("van der", "Linden")."""
    k = 0
    while k < len(words) - 1 and (words[k] in PARTICLES or (words[k].casefold() in _CAP_PARTICLES and words[k][:1].isupper())):
        k += 1
    # a lowercase particle glued with an apostrophe: "d'Alembert" stays the family name
    return " ".join(words[:k]), " ".join(words[k:])


def _person_inverted(family_part: str, given_part: str, suffix: str = "") -> Person:
    words = family_part.split()
    particle, family = _split_particle(words)
    given_words = given_part.split()
    # a particle written after the given names: "Beauvoir, Simone de"
    trail = []
    while given_words and given_words[-1] in PARTICLES:
        trail.insert(0, given_words.pop())
    if trail and not particle:
        particle = " ".join(trail)
    elif trail:
        given_words += trail
    given = " ".join(given_words)
    m = re.fullmatch(r"(.*?),?\s+(Jr\.?|Sr\.?|II|III|IV)", given)
    if m and not suffix:
        given, suffix = m.group(1), m.group(2)
    return Person(family=family, given=given, particle=particle, suffix=suffix)


def _person_natural(chunk: str) -> Person:
    words = chunk.split()
    suffix = ""
    if len(words) > 1 and words[-1].casefold().strip(",") in _SUFFIXES:
        suffix = words.pop().strip(",")
    if len(words) == 1:
        return Person(family=words[0], suffix=suffix)
    # "Ortega y Gasset": a connector inside the last name
    k = len(words) - 1
    while k >= 2 and words[k - 1] in ("y", "i", "e") and words[k - 2][:1].isupper():
        k -= 2
    # particles before the family name: "Jane van der Linden", "Lo Iacono"
    p = k
    while p > 1 and (words[p - 1] in PARTICLES):
        p -= 1
    given = " ".join(words[:p])
    particle = " ".join(words[p:k])
    family = " ".join(words[k:])
    return Person(family=family, given=given, particle=particle, suffix=suffix)


def _person_vancouver(chunk: str) -> Person:
    """ "Marras WS", "García Márquez G", "Bykov A.M.", "DULONG R." """
    words = chunk.split()
    k = len(words)
    while k > 1 and _is_initials(words[k - 1]):
        k -= 1
    particle, family = _split_particle(words[:k])
    given = " ".join(words[k:])
    if re.fullmatch(r"[A-Z]{2,4}\.", given):  # "Ferguson SA." — the stop ends the list, not an initial
        given = given[:-1]
    return Person(family=family, given=given, particle=particle)


def _corporate(text: str) -> Person:
    t = clean_text(text)
    m = re.fullmatch(r"(.+?)\s*[\[(]\s*([A-Z][A-Za-z&.\-]{1,12})\s*[\])]", t)
    if m:
        return Person(literal=m.group(1).strip(" ,"), abbreviation=m.group(2))
    m = re.fullmatch(r"([A-Z][A-Z&.\-]{1,12})\s*[-–—:]\s*(.+)", t)  # "IPS – Instituto de Pesquisa Social"
    if m and len(m.group(2).split()) > 1:
        return Person(literal=m.group(2).strip(), abbreviation=m.group(1))
    return Person(literal=t)


_CONNECT = re.compile(r"\s*(?:,\s*)?(?:\band\b|&|\bund\b|\bet\b(?!\s*al)|\bog\b)\s*", re.I)


def is_repeat_mark(text: str) -> bool:
    """A dash that stands for the previous entry's authors: "———.", "---.", "———, ed."."""
    return bool(_DASHES.match(_nfc(text).strip())) or bool(re.fullmatch(r"[\s·•]*(?:idem|id\.|ders\.|dies\.)[\s.,]*", text, re.I))


def parse_names(text: str) -> tuple[tuple[Person, ...], bool, bool]:
    """(persons, et al., repeated-author dash) of an author, editor or translator segment."""
    t = _dehyphenate(_MARKUP.sub("", _nfc(text)))
    t = " ".join(t.split())
    if is_repeat_mark(t):
        return (), False, True
    repeated = False
    m = re.match(r"^[\s·•]*(?:[-–—―_]{2,}|[–—―])[\s.,;:]*", t)
    if m:  # "———, ed." and the like
        repeated = True
        t = t[m.end() :]
    t = re.sub(r"^(?:in|en|em|dans|im)\s*:?\s+", "", t, flags=re.I)
    t = _ROLE.sub(" ", t)
    et_al = False
    if _ETAL.search(t):
        et_al = True
        t = _ETAL.sub(" ", t)
    t = " ".join(t.split()).strip(" ,;:(")
    t = re.sub(r"\s*\(\s*\)\s*", " ", t).strip(" ,;:")
    t = _strip_final_stop(t)
    if not t:
        return (), et_al, repeated
    if t.endswith(")") and t.count(")") > t.count("("):
        t = t[:-1].strip()
    if _looks_corporate(t) and not re.search(r",\s*(?:[A-Z]\.\s?)+(?:,|$)", t) and ";" not in t:
        return (_corporate(t),), et_al, repeated
    persons: list[Person] = []
    if ";" in t:
        for part in t.split(";"):
            part = _strip_final_stop(_CONNECT.sub(" ", " " + part + " ").strip(" ,"))
            if part:
                persons.extend(_parse_chunks(_chunks(part)))
        return tuple(p for p in persons if p.family or p.literal), et_al, repeated
    return tuple(p for p in _parse_chunks(_chunks(t)) if p.family or p.literal), et_al, repeated


def _strip_final_stop(text: str) -> str:
    """The full stop that ends the field, not the one of a final initial ("Soskice, D.")."""
    text = text.rstrip(" ,;:")
    while text.endswith(".") and not _is_initials(text.split()[-1]) and not text.endswith(".."):
        text = text[:-1].rstrip(" ,;:")
    return text


def _chunks(text: str) -> list[str]:
    """Comma-separated pieces of a name list, connectors ("and", "&") read as commas;
    "y"/"e" only where both sides look like whole names (not "Ortega y Gasset")."""
    t = _CONNECT.sub(", ", " " + text + " ").strip(" ,")
    pieces = [_strip_final_stop(p.strip()) for p in t.split(",")]
    out: list[str] = []
    for p in pieces:
        p = p.strip()
        if not p:
            continue
        m = re.fullmatch(r"(.+?)\s+(?:y|e|i)\s+(.+)", p)
        if m and len(m.group(1).split()) >= 2 and len(m.group(2).split()) >= 2:
            out.extend([m.group(1), m.group(2)])
        else:
            out.append(p)
    return out


def _is_vancouver(chunk: str) -> bool:
    words = chunk.split()
    return len(words) >= 2 and _is_initials(words[-1]) and not _is_initials(words[0])


def _is_given_chunk(chunk: str) -> bool:
    """What can follow "Surname," as the given names: initials or one to three name words."""
    words = chunk.split()
    if not words or len(words) > 6:
        return False
    if _is_initials_chunk(chunk):
        return True
    names = [w for w in words if w not in PARTICLES]
    return (
        bool(names)
        and all((w[:1].isupper() or w in PARTICLES) and not any(ch.isdigit() for ch in w) for w in words)
        and len(names) <= 4
    )


def _parse_chunks(chunks: list[str]) -> list[Person]:
    if not chunks:
        return []
    # "Hershey, Robert D., Jr." — suffix chunks attach to the person before
    merged: list[str] = []
    suffix_of: dict[int, str] = {}
    for c in chunks:
        if c.casefold().strip(".") in {s.strip(".") for s in _SUFFIXES} and merged:
            suffix_of[len(merged) - 1] = c if c.endswith(".") or not c.casefold().startswith(("jr", "sr")) else c + "."
        else:
            merged.append(c)
    chunks = merged
    n = len(chunks)
    if all(_is_vancouver(c) for c in chunks):
        return [_person_vancouver(c) for c in chunks]
    if n == 1:
        c = chunks[0]
        if _is_vancouver(c):
            return [_person_vancouver(c)]
        if len(c.split()) == 1:
            return [Person(family=c)]
        if _looks_corporate(c):
            return [_corporate(c)]
        return [_person_natural(c)]
    inverted_start = len(chunks[0].split()) <= 4 and not _is_initials(chunks[0].split()[0]) and _is_given_chunk(chunks[1]) and not _is_vancouver(chunks[0])
    if inverted_start and len(chunks[0].split()) > 1 and not _is_initials_chunk(chunks[1]):
        # "Jennifer Lees-Marshment, Brian Conley" is natural order; "García Márquez, Gabriel" is not
        first = chunks[0].split()
        if all(len(_person_natural(c).given.split()) >= 1 and len(c.split()) >= 2 for c in chunks[1:]) and len(chunks[1].split()) >= 2:
            inverted_start = False
        elif len(first) == 2 and first[0][:1].isupper() and first[1][:1].isupper() and n >= 2 and len(chunks[1].split()) >= 2:
            inverted_start = False
    persons: list[Person] = []
    if not inverted_start:
        for i, c in enumerate(chunks):
            p = _person_vancouver(c) if _is_vancouver(c) else (_person_natural(c) if len(c.split()) > 1 else Person(family=c))
            if i in suffix_of:
                p = dataclasses.replace(p, suffix=suffix_of[i])
            persons.append(p)
        return persons
    persons.append(_person_inverted(chunks[0], chunks[1], suffix_of.get(1, "") or suffix_of.get(0, "")))
    rest = chunks[2:]
    offset = 2
    # the rest are pairs (family, given) when a given-looking chunk follows each surname
    pairs = len(rest) % 2 == 0 and all(_is_given_chunk(rest[k + 1]) and not _is_initials(rest[k].split()[0]) for k in range(0, len(rest), 2))
    single_words = any(len(c.split()) == 1 for c in rest) or any(_is_initials_chunk(c) for c in rest)
    if rest and pairs and (single_words or all(len(rest[k].split()) == 1 for k in range(0, len(rest), 2))):
        for k in range(0, len(rest), 2):
            persons.append(_person_inverted(rest[k], rest[k + 1], suffix_of.get(offset + k + 1, "")))
        return persons
    for k, c in enumerate(rest):
        if _is_vancouver(c):
            p = _person_vancouver(c)
        elif len(c.split()) > 1:
            p = _person_natural(c)
        else:
            p = Person(family=c)
        if offset + k in suffix_of:
            p = dataclasses.replace(p, suffix=suffix_of[offset + k])
        persons.append(p)
    return persons


# --------------------------------------------------------------------------- the whole reference

_ROLE_PHRASE = re.compile(
    r"(?i)(?:^|,?\s+)((?:edited|translated|ed\.|eds\.|trans\.|hrsg\.|herausgegeben|traduit|traducido|traduzido|organizado)"
    r"(?:\s+(?:and|&)\s+(?:edited|translated))?\s+(?:by|von|par|por)\b.*)$"
)


def _split_segment(seg: Segment, cut: int, first: str, second: str) -> list[Segment]:
    """Cut a segment at an offset inside its text into two labelled segments."""
    head, tail = seg.text[:cut].rstrip(), seg.text[cut:].lstrip()
    tail_start = seg.start + len(seg.text[:cut]) + (len(seg.text[cut:]) - len(tail))
    out = []
    if head:
        out.append(Segment(first, head, seg.start, seg.start + len(head), seg.confidence))
    if tail:
        out.append(Segment(second, tail, tail_start, seg.end, seg.confidence))
    return out


def _repair(segs: list[Segment]) -> list[Segment]:
    """Mend what the labeller runs together and a phrase settles: "In Culture, Media, Language,
    edited by Stuart Hall, …" labelled all editor is a container, then the editors; a container
    that ends in ", edited by …" gives its editors back."""
    labels = {s.label for s in segs}
    out: list[Segment] = []
    for s in segs:
        if s.label in ("editor", "translator") and re.match(r"(?i)(?:in|en|em|dans|im)\s*:?\s+\S", s.text) and not labels & {"container-title", "journal"}:
            m = _ROLE_PHRASE.search(s.text)
            if m and m.start(1) > 3:
                out.extend(_split_segment(s, m.start(1), "container-title", s.label))
                continue
        if s.label in ("container-title", "journal", "title") and not labels & {"editor"}:
            m = _ROLE_PHRASE.search(s.text)
            if m and m.start(1) > 3 and re.search(r"[A-Z]", s.text[m.end(1) - 1 :] if m.end(1) else ""):
                role = "translator" if re.match(r"(?i)tra", m.group(1)) else "editor"
                out.extend(_split_segment(s, m.start(1), s.label, role))
                continue
        out.append(s)
    return out



def _guess_type(f: dict, labels: set[str]) -> str:
    genre = f.get("genre", "").casefold()
    note = f.get("note", "").casefold()
    title = f.get("title", "").casefold()
    container = f.get("container", "").casefold()
    if re.search(r"thes[ie]s|dissert|tese|disserta|mémoire|habilitation|doctoral|master", genre + " " + note):
        return "thesis"
    if "patent" in genre or "patente" in genre:
        return "patent"
    if re.search(r"report|working paper|discussion paper|relatório|informe|rapport|technical|memorandum|brief", genre + " " + note):
        return "report"
    if "journal" in labels:
        return "article"
    if "container-title" in labels:
        if re.search(r"proceedings|proc\.|conference|congress|symposium|workshop|meeting|congresso|colloque|actas|anais|annales du", container):
            return "conference"
        return "chapter"
    if "url" in labels and not ({"publisher", "location"} & labels) and "volume" not in labels:
        return "web"
    if {"publisher", "location", "edition", "isbn"} & labels:
        return "book"
    if "volume" in labels or "pages" in labels:
        return "article"
    if "url" in labels:
        return "web"
    if re.search(r"thes[ie]s|dissertation", title):
        return "thesis"
    return "other"


def build(text: str, labelled: Sequence[crf.Labelled]) -> ParsedReference:
    """Fields from a labelled string (the labels may come from the model or from elsewhere)."""
    segs = _repair(segments_of(text, labelled))
    by_label: dict[str, list[Segment]] = {}
    for s in segs:
        by_label.setdefault(s.label, []).append(s)
    f: dict = {}
    conf: dict[str, float] = {}

    def note_conf(field: str, items: Iterable[Segment]) -> None:
        c = min((s.confidence for s in items), default=None)
        if c is not None:
            conf[field] = min(conf.get(field, 1.0), c)

    for role, field in (("author", "authors"), ("editor", "editors"), ("translator", "translators")):
        if role in by_label:
            first = by_label[role][0]
            persons, et_al, repeated = parse_names(first.text)
            f[field] = persons
            note_conf(field, [first])
            if role == "author":
                f["et_al"] = et_al
                f["repeated_authors"] = repeated
    if "date" in by_label:
        date_text = " ".join(s.text for s in by_label["date"])
        year, suffix, original, status = parse_date(date_text)
        f.update(year=year, year_suffix=suffix, original_year=original, date_status=status)
        f["date"] = _strip_brackets(clean_text(date_text))
        note_conf("year", by_label["date"])
    else:
        # a year the model left inside another field, "Title 1999." — only as a last resort
        pass
    if "title" in by_label:
        f["title"] = clean_text(by_label["title"][0].text)
        note_conf("title", by_label["title"][:1])
    for lab in ("journal", "container-title"):
        if lab in by_label and "container" not in f:
            f["container"] = clean_container(by_label[lab][0].text)
            note_conf("container", by_label[lab][:1])
    if "collection-title" in by_label:
        f["collection"] = clean_container(by_label["collection-title"][0].text)
        note_conf("collection", by_label["collection-title"][:1])
    if "volume" in by_label:
        vol, iss = parse_volume(" ".join(s.text for s in by_label["volume"]))
        f["volume"], f["issue"] = vol, iss
        note_conf("volume", by_label["volume"])
    if "pages" in by_label:
        f["pages"] = parse_pages(" ".join(s.text for s in by_label["pages"]))
        note_conf("pages", by_label["pages"])
    if "volume" in by_label:
        vtext = _nfc(" ".join(s.text for s in by_label["volume"]))
        m = re.match(r"^\(?((?:1[5-9]|20)\d\d)([a-z])?\)?\s*[;:,]\s*(?=\(?[A-Za-z]?\d)", vtext)  # "2011;17(1):"
        if m and not f.get("year"):
            f["year"], f["year_suffix"] = m.group(1), m.group(2) or ""
        m = re.search(r"[\d)]\s*:\s*([A-Za-z]?\d+(?:\s*[-–—]\s*[A-Za-z]?\d+)?)[.,;]*$", vtext)  # "18(9):1434–40,"
        if m and not f.get("pages") and re.search(r"[-–—]", m.group(1)):
            f["pages"] = parse_pages(m.group(1))
    if "edition" in by_label:
        f["edition"] = parse_edition(by_label["edition"][0].text)
        note_conf("edition", by_label["edition"][:1])
    if "publisher" in by_label:
        f["publisher"] = clean_publisher(by_label["publisher"][0].text)
        note_conf("publisher", by_label["publisher"][:1])
    if "location" in by_label:
        f["place"] = clean_place(by_label["location"][0].text)
        note_conf("place", by_label["location"][:1])
    if "genre" in by_label:
        f["genre"] = _strip_brackets(clean_text(" ".join(s.text for s in by_label["genre"])))
        note_conf("genre", by_label["genre"])
    if "note" in by_label:
        f["note"] = "; ".join(_strip_brackets(clean_text(s.text)) for s in by_label["note"])
        m = _ORIGINALLY.search(f["note"])
        if m and not f.get("original_year"):
            f["original_year"] = m.group(1)
    if "citation-number" in by_label:
        m = re.search(r"\d+", by_label["citation-number"][0].text)
        f["citation_number"] = m.group() if m else clean_text(by_label["citation-number"][0].text)
    # identifiers: from their segments first, then anywhere in the string
    doi = parse_doi(" ".join(s.text for s in by_label.get("doi", [])))
    url = parse_url(" ".join(s.text for s in by_label.get("url", [])))
    if not doi:
        doi = parse_doi(url) or parse_doi(text)
    if not url:
        url = parse_url(text) if "url" in by_label or not doi else ""
        if url and doi and doi in url:
            url = url if "url" in by_label else ""
    if doi:
        f["doi"] = doi
        note_conf("doi", by_label.get("doi", []) or by_label.get("url", []))
    if url:
        f["url"] = url
        note_conf("url", by_label.get("url", []))
    isbn = parse_isbn(" ".join(s.text for s in by_label.get("isbn", [])))
    if not isbn and re.search(r"(?i)\bISBN", text):
        isbn = parse_isbn(text[re.search(r"(?i)\bISBN", text).end() :])
    if isbn:
        f["isbn"] = isbn
    f["type"] = _guess_type(f, set(by_label))
    uncertain = tuple(k for k, v in conf.items() if v < UNSURE_BELOW)
    return ParsedReference(
        text=text,
        segments=tuple(segs),
        confidence=tuple(sorted(conf.items())),
        uncertain=uncertain,
        **f,
    )


def parse_reference(text: str, model: str | None = None) -> ParsedReference:
    """Parse one reference string ("Althusser, Louis. 2017a. *Philosophy for Non-Philosophers*. …")."""
    return build(text, crf.label(text, model))


def parse_references(texts: Iterable[str], model: str | None = None) -> list[ParsedReference]:
    """Parse a reference list in order, giving each "———." entry the authors of the entry before."""
    return resolve_repeated_authors([parse_reference(t, model) for t in texts])


def resolve_repeated_authors(refs: Sequence[ParsedReference]) -> list[ParsedReference]:
    """Entries whose author is a repeat dash take the authors (and "et al.") of the entry before;
    ``repeated_authors`` stays True so a caller can tell them apart."""
    out: list[ParsedReference] = []
    prev: ParsedReference | None = None
    for ref in refs:
        if ref.repeated_authors and prev is not None and not ref.authors:
            ref = dataclasses.replace(ref, authors=prev.authors, et_al=prev.et_al)
        out.append(ref)
        prev = ref
    return out
