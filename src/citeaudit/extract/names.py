"""What counts as an author's name in running text: surnames, particles, initials, et al."""

from __future__ import annotations

import re

#: Name particles, compared in lower case: "van der Linden", "Lo Iacono", "de Beauvoir".
PARTICLES = frozenset(
    "van von der den de del della delle dei degli di da das dos do du des la le lo las los "
    "ten ter te zu zur af av y i e bin ibn al el d' d’ mac st. saint".split()
)
#: Words joining two authors, in the languages cited in ("e" and "y" also join the two
#: surnames of one person, "Mello e Souza": a bibliography tells which).
CONNECTORS = frozenset({"and", "&", "et", "e", "y", "und"})
#: An elided article or preposition glued to a name: "l’ICMJE", "d’Igor", "dell’Università".
ELISION = re.compile(r"^(?:[ldnLDN]|dell|all|dall|nell|sull|qu|jusqu)['’](?=[A-Z\d])")

#: Capitalised words that start sentences or name dates, never authors.
STOPWORDS = frozenset(
    """a about after again against all already also although an and any apart are around as at
    be because been before between both but by c ca cf chapter ch circa compare during e each early
    ed eds edition eg either english even every fig figure first for french from german hence her here
    his how however i ie if in into is it its italian just late later like many may me mid more most my
    neither no nos not now of on one only or other our over p part pp see section since so some spanish
    still such summer table than that the their then there these they this those though thus till to
    today trans translated two under until up vol was we were what when where which while who winter
    with within yet you your spring autumn fall century year years approximately born published
    written reprinted volume note notes page pages chapter id ibid op cit
    january february march april june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday
    indeed moreover furthermore therefore finally similarly likewise notably importantly interestingly recently
    conversely nevertheless nonetheless accordingly additionally consequently alternatively meanwhile overall
    specifically together""".split()
)
#: Months are surnames too (Robert May, Ernest March): after the first name of a list they are read as such.
_MONTHS = frozenset("january february march april may june july august september october november december".split())

_ROMAN_NUMERAL = re.compile(r"[IVXLC]{2,6}|[VX]")
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.)+(?:-(?:[A-Z]\.)+)?$|^[A-Z]\.?-[A-Z]\.$")
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*$")
_ETAL = re.compile(r",?\s+et\s+al\.?$|,?\s+et\s+al\.?(?=\s*$)")
_SPLIT = re.compile(r"\s*,\s*(?:(?:and|et|e|y|und)\s+|&\s*)?|\s+(?:and|&|et|e|y|und)\s+|\s*&\s*|(?<=[^\W\d_])/(?=[^\W\d_])")


def is_particle(word: str) -> bool:
    return word.lower() in PARTICLES


def is_name_word(word: str) -> bool:
    """A capitalised word (or all-capitals acronym) that could be a surname.

    A trailing ellipsis is allowed: ABNT cites works without author by their first
    word, "(ÍNDIO..., 2014)"."""
    if word.endswith(("...", "…")):
        word = word.rstrip(".…")
    if not word or not _NAME_WORD.match(word) or _ROMAN_NUMERAL.fullmatch(word):
        return False
    if not word[0].isupper():
        return False
    return word.lower() not in STOPWORDS


def is_initials(word: str) -> bool:
    return bool(_INITIALS.match(word))


def surname(words: list[str], whole: bool = False) -> str | None:
    """The surname in one author's words: drops initials, keeps particles; with `whole`, the
    words are all surname ("Moscoso del Prado Martín", "Picallo i Soler", "Silva Filho"), as
    a parenthetical citation writes them, otherwise the last name with its particles, given
    names dropped ("Charles Darwin" -> "Darwin", "Marcel van der Linden" -> "van der Linden").

    ["G.M.", "Goshgarian"] -> "Goshgarian"; ["Lo", "Iacono"] -> "Lo Iacono".
    """
    words = [ELISION.sub("", w) for w in words if w]
    if not words or len(words) > 6:
        return None
    core = [w for w in words if not is_initials(w)]
    if not core:
        return None
    for w in core:
        if not (is_name_word(w) or is_particle(w)):
            return None
    last = len(core) - 1
    if is_particle(core[last]):
        return None
    if whole:
        while core and is_particle(core[0]) and core[0][:1].islower() and len(core) > 1 and core[0] in ("e", "y", "i"):
            core = core[1:]
        return " ".join(core)
    start = last
    while start > 0 and is_particle(core[start - 1]):
        start -= 1
    return " ".join(core[start : last + 1])


def parse_authors(text: str, whole: bool = True, joined: frozenset[str] = frozenset()) -> tuple[str, ...] | None:
    """Surnames of an author list as cited: "Balibar and Althusser", "Smith, Jones & Lee",
    "Hengl e Gould", "Smith et al." (-> ("Smith", "et al.")). None when the text is not a
    list of names. `whole`: each name is all surname (see `surname`). `joined`: folded
    surnames known to contain a joining word ("mello e souza"), kept whole."""
    text = text.strip().rstrip(",").strip()
    if not text:
        return None
    etal = False
    m = _ETAL.search(text)
    if m:
        etal = True
        text = text[: m.start()].strip()
    if not text:
        return None
    if joined and _fold_key(text) in joined:
        parts = [text]
    else:
        parts = [p for p in _SPLIT.split(text) if p.strip()]
    if not parts or len(parts) > 8:
        return None
    names: list[str] = []
    for k, part in enumerate(parts):
        name = surname(part.split(), whole)
        if name is None and k > 0 and part.strip().lower() in _MONTHS:
            name = part.strip()
        if name is None:
            corporate = corporate_name(text)
            return (corporate, "et al.") if corporate and etal else ((corporate,) if corporate else None)
        names.append(name)
    if etal:
        names.append("et al.")
    return tuple(names)


_CONNECTORS = frozenset("of and for the on in de des du la le da do dos das für und & y".split())


def corporate_name(text: str) -> str | None:
    """A body as author: "Bureau of Labor Statistics", "The Economist", "Royal Society"."""
    words = text.split()
    if not 2 <= len(words) <= 8 or words[-1].lower() in _CONNECTORS:
        return None
    if not words[0][:1].isupper():
        return None
    capitalised = 0
    for i, w in enumerate(words):
        if w.lower() in _CONNECTORS and not (i == 0 and w == "The"):
            continue
        core = w.rstrip(",")
        if not _NAME_WORD.match(core.replace("-", "")) and not re.match(r"^[A-Z][\w\-]*$", core):
            return None
        if not core[:1].isupper():
            return None
        capitalised += 1
    if capitalised < 2 and words[0] != "The":
        return None
    return " ".join(words)


def _fold_key(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())
