"""Reference strings as labelled tokens: a linear-chain CRF (python-crfsuite).

A reference string is cut at whitespace into tokens that keep their character offsets (the
unit AnyStyle's gold set is labelled in: punctuation stays on its word, so "(2000)." is one
token labelled ``date`` and "In" is labelled with what it introduces). Each token is
described by features — its word, shape and case, the punctuation around it, where it stands
in the string, whether it is inside quotation marks, brackets or italics, dictionary classes
(months, publisher and place words, "ed."/"trans."/"In", volume and page words, year, page
range, DOI, URL and ISBN shapes) — and those of its neighbours. The model is trained by
``python -m citeaudit.reflist.train`` and loaded once per process.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

#: The labels, as in AnyStyle's gold set (``journal`` is the container of a periodical
#: article, ``container-title`` that of a chapter or conference paper).
LABELS: tuple[str, ...] = (
    "citation-number",
    "author",
    "editor",
    "translator",
    "date",
    "title",
    "container-title",
    "journal",
    "collection-title",
    "volume",
    "pages",
    "edition",
    "genre",
    "publisher",
    "location",
    "note",
    "doi",
    "url",
    "isbn",
)

MODEL_PATH = Path(__file__).with_name("model.crfsuite")


@dataclass(frozen=True, slots=True)
class Token:
    """One whitespace-separated piece of the string, with its offsets [start, end)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Labelled:
    """A token with the label the model gave it and the model's marginal probability of it."""

    token: Token
    label: str
    confidence: float


_TOKEN = re.compile(r"\S+")


def tokenize(text: str) -> list[Token]:
    """Whitespace tokens with their offsets into ``text``. Punctuation stays on its word, as in
    AnyStyle's gold set, where "2011;17(1):" is one token labelled ``volume``."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


# --------------------------------------------------------------------------- dictionaries


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MONTHS = _words(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre
    januar februar märz marz juni juli oktober dezember
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
    janeiro fevereiro março marco maio junho julho setembro outubro novembro dezembro
    gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre
    spring summer autumn fall winter printemps été automne hiver primavera verano otoño invierno
    verão outono inverno frühjahr sommer herbst"""
)
PUBLISHER_WORDS = _words(
    """press presses university univ universidad universidade università universität universite
    université publishers publisher publishing publications publication pub verlag verlags books
    editions éditions edições ediciones edizioni editora editorial editrice editores editeur éditeur
    wiley springer routledge elsevier sage blackwell macmillan palgrave penguin harper norton verso
    gallimard seuil suhrkamp brill academic inc inc. ltd ltd. co co. llc gmbh sons group house
    mit taylor francis kluwer pergamon vintage knopf random basic beacon polity zed pluto lexington
    ashgate bloomsbury continuum duke cornell columbia yale princeton harvard stanford oxford
    cambridge chicago california minnesota toronto manchester edinburgh mcgraw-hill prentice
    addison-wesley erlbaum guilford freeman hachette fayard puf dunod armand colin flammarion
    feltrinelli einaudi laterza mondadori paidós paidos anagrama boitempo vozes cortez atlas
    beck campus fischer rowohlt reclam meiner metzler mohr siebeck de gruyter gruyter nomos
    lawrence associates society institute institution association council foundation
    ieee acm aip aps iop crc cabi wiley-blackwell wiley-vch""".replace("\n", " ")
)
PLACE_WORDS = _words(
    """london york paris berlin oxford cambridge chicago boston princeton haven amsterdam frankfurt
    münchen munich madrid barcelona rome roma milan milano torino turin paulo rio janeiro buenos
    aires méxico mexico lisboa lisbon tokyo beijing delhi washington philadelphia baltimore
    berkeley angeles francisco stanford ithaca durham minneapolis toronto montreal montréal sydney
    melbourne leiden dordrecht heidelberg wien vienna basel zürich zurich stuttgart leipzig
    hamburg köln cologne bern geneva genève bruxelles brussels edinburgh manchester abingdon
    basingstoke hoboken oaks newbury malden hillsdale mahwah norwood greenwich westport
    bloomington urbana austin ann arbor amherst lincoln cleveland pittsburgh seattle evanston
    lanham oakland totowa thousand singapore hong kong santiago bogotá bogota lima caracas
    coimbra porto salvador brasília brasilia curitiba campinas florianópolis recife
    belo horizonte quebec ottawa vancouver dublin glasgow bristol brighton sheffield leeds
    london: paris: berlin: oxford: cambridge:""".replace("\n", " ")
)
JOURNAL_WORDS = _words(
    """journal j review rev proceedings proc quarterly annals ann bulletin bull transactions
    letters lett acta studies magazine revista revue rivista zeitschrift archives arch science
    sci nature research res international int american am european eur society soc phys chem
    med medicine physics chemistry biology biol ecology economics economic sociology
    sociological political psychology psychological history historical philosophy
    philosophical anthropology linguistics linguistic cadernos estudos cahiers jahrbuch
    forum perspectives today times news quarterly yearbook newsletter bulletin""".replace("\n", " ")
)
EDITOR_WORDS = _words(
    """ed ed. eds eds. (ed.) (eds.) (ed.), (eds.), ed., eds., (ed) (eds) editor editors edited
    (editor) (editors) hrsg hrsg. (hrsg.) hg hg. (hg.) org org. orgs orgs. (org.) (orgs.)
    coord coord. (coord.) dir dir. (dir.) éd. éds. (éd.) (éds.) comp. comps. (comp.) (comps.)
    editado edición ed.). eds.). (eds).""".replace("\n", " ")
)
TRANSLATOR_WORDS = _words(
    """trans trans. (trans.) translated translator translators transl. tr. trad. trad traduit
    traducción traduccion tradução traducao traduzione übersetzt übers. übers (trans) (tr.)
    (trad.) translation""".replace("\n", " ")
)
EDITION_WORDS = _words("edition edn edn. ed. edición edição edizione auflage aufl. aufl éd. édition rev. revised reprint")
PAGE_WORDS = _words("p p. pp pp. page pages pag pág. págs. pág s. S. seiten (pp. (p. pp.: p.:")
VOLUME_WORDS = _words(
    """vol vol. vols vols. volume volumes bd bd. band t. tome tomo no no. nos. nr nr. num num.
    number n. n° nº issue iss. heft h. fasc. fasc suppl. suppl supplement part pt. (vol. (no. vol.:"""
)
CONNECTORS = _words("and & et und y e og i en och and/or")
IN_WORDS = _words("in in: dans en em im")
ACCESS_WORDS = _words(
    """available retrieved accessed accessed: viewed consulted online [online] [online]. from
    acesso disponível disponivel consultado zugegriffen abgerufen retirado [accessed [viewed
    [cited [citado url: at: em: en:"""
)
GENRE_WORDS = _words(
    """thesis dissertation phd ph.d. ph. d. doctoral master's masters msc m.a. ma report
    technical working paper papers patent tese dissertação dissertacao mémoire memoire thèse
    these diss. diss habilitation preprint unpublished manuscript mimeo mimeo. monograph
    discussion series brief memorandum draft"""
)
PARTICLES = _words("van von der den de del della delle di da das dos do du des la le lo ten ter zu zur y al el bin ibn st. d' d’ mac")
ETAL_WORDS = _words("et al al. al., al.; others u.a. e col. et. al")

_PUNCT = "\"'“”‘’«»„‚‹›()[]{}<>,.;:!?*_`"
_QUOTE_OPEN = "\"“‘«„‚‹'"
_QUOTE_CLOSE = "\"”’»‹›'"
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_YEAR_TOKEN = re.compile(r"^[(\[]?(?:1[5-9]\d\d|20\d\d)[a-z]?[)\]]?[.,;:]?[)\]]?[.,;:]?$")
_PAGE_RANGE = re.compile(r"\d+\s*[-–—‐‑]+\s*\d+")
_DOI = re.compile(r"10\.\d{4,9}/")
_URL = re.compile(r"(?:https?://|ftp://|www\.)", re.I)
_ISBN = re.compile(r"^(?:97[89][-‐ ]?)?\d{1,5}[-‐ ]?\d+[-‐ ]?\d+[-‐ ]?[\dX]$")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th|e|er|re|ème|eme|a|ª|º|o|\.)$", re.I)
_ROMAN = re.compile(r"^(?=[mdclxvi])m{0,4}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$", re.I)
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?-?){1,4}[.,;:]*$")
_MARKUP = re.compile(r"</?(?:i|b|em|strong|italic|bold|sup|sub)>", re.I)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _shape(word: str) -> str:
    out = []
    for ch in word:
        if ch.isupper():
            c = "A"
        elif ch.isalpha():
            c = "a"
        elif ch.isdigit():
            c = "9"
        elif ch in "-–—‐‑":
            c = "-"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:8]


def _core(word: str) -> str:
    return word.strip(_PUNCT + "-–—")


@functools.lru_cache(maxsize=50000)
def _token_features(raw: str) -> tuple[str, ...]:
    """The features of one token on its own (its context is added by ``features``)."""
    text = _MARKUP.sub("", _nfkc(raw))
    low = text.casefold()
    core = _core(text)
    lcore = core.casefold()
    f: list[str] = []
    has_digit = any(ch.isdigit() for ch in core)
    if core and not has_digit:
        f.append("w=" + lcore[:20])
    elif not core:
        f.append("w=<punct>")
    shape = _shape(text)
    f.append("shape=" + shape)
    f.append("cshape=" + _shape(core)[:4])
    if core:
        f.append("p2=" + lcore[:2])
        f.append("p3=" + lcore[:3])
        f.append("s2=" + lcore[-2:])
        f.append("s3=" + lcore[-3:])
    last = text[-1]
    if not last.isalnum():
        f.append("last=" + last)
        if len(text) > 1 and not text[-2].isalnum():
            f.append("last2=" + text[-2:])
    first = text[0]
    if not first.isalnum():
        f.append("first=" + first)
    # case
    letters = [ch for ch in core if ch.isalpha()]
    if letters:
        if all(ch.isupper() for ch in letters):
            f.append("case=upper" if len(letters) > 1 else "case=single")
        elif letters[0].isupper():
            f.append("case=title")
        elif all(ch.islower() for ch in letters):
            f.append("case=lower")
        else:
            f.append("case=mixed")
    if has_digit:
        digits = sum(ch.isdigit() for ch in core)
        f.append("digits=" + (str(digits) if digits < 5 else "5+"))
        if core.isdigit():
            f.append("num=all")
            n = int(core) if len(core) < 7 else 10**7
            if 1500 <= n <= 2039 and len(core) == 4:
                f.append("num=year")
            elif n < 10:
                f.append("num=small")
            elif n < 100:
                f.append("num=2d")
            elif n < 1000:
                f.append("num=3d")
    if _YEAR_TOKEN.match(text):
        f.append("yeartoken")
        if re.search(r"\d[a-z]", text):
            f.append("yearsuffix")
    elif _YEAR.search(text):
        f.append("hasyear")
    if _PAGE_RANGE.search(text):
        f.append("range")
    if _DOI.search(text) or low.startswith("doi"):
        f.append("doi")
    if _URL.search(text) or "://" in text:
        f.append("url")
    if low.startswith("isbn") or (len(re.sub(r"\D", "", core)) in (10, 13) and _ISBN.match(core)):
        f.append("isbn")
    if _ORDINAL.match(core) or re.match(r"^\d+(?:st|nd|rd|th)$", lcore):
        f.append("ordinal")
    if len(core) > 1 and _ROMAN.match(core):
        f.append("roman")
    if _INITIALS.match(text) and len(core) <= 8 and "." in text or (len(core) == 1 and core.isupper()):
        f.append("initial")
    if re.fullmatch(r"[A-Z]{1,3}[,.;:]?", text):
        f.append("capsinitials")
    if re.fullmatch(r"[-–—_‐]{2,}[.,:;]?|[-–—_]{1}[.,]", text.replace(" ", "")):
        f.append("dashes")
    if "-" in core and not has_digit:
        f.append("hyphenated")
    if text.endswith("-") and len(text) > 1 and text[-2].isalpha():
        f.append("broken")
    if "@" in text:
        f.append("at")
    for name, words in (
        ("month", MONTHS),
        ("pub", PUBLISHER_WORDS),
        ("place", PLACE_WORDS),
        ("journ", JOURNAL_WORDS),
        ("conn", CONNECTORS),
        ("in", IN_WORDS),
        ("access", ACCESS_WORDS),
        ("genre", GENRE_WORDS),
        ("particle", PARTICLES),
        ("etal", ETAL_WORDS),
    ):
        if lcore in words or low in words:
            f.append("dict=" + name)
    for name, words in (
        ("editor", EDITOR_WORDS),
        ("trans", TRANSLATOR_WORDS),
        ("edition", EDITION_WORDS),
        ("page", PAGE_WORDS),
        ("vol", VOLUME_WORDS),
    ):
        if low in words or lcore in words or low.rstrip(",;:") in words:
            f.append("dict=" + name)
    if re.fullmatch(r"[A-Z]{2}:", text):
        f.append("statecolon")
    return tuple(f)


_CONTEXT_KEEP = ("w=", "shape=", "last=", "case=", "dict=", "yeartoken", "initial", "num=", "range", "first=", "ordinal")


@functools.lru_cache(maxsize=50000)
def _context_features(raw: str) -> tuple[str, ...]:
    return tuple(x for x in _token_features(raw) if x.startswith(_CONTEXT_KEEP))


def _states(tokens: list[Token]) -> list[list[str]]:
    """Features that depend on what came before: quotes, brackets, italics, years and stops seen."""
    out: list[list[str]] = []
    quote = False
    paren = 0
    italic = False
    seen_year = 0
    stops = 0
    commas = 0
    for tok in tokens:
        t = _nfkc(tok.text)
        f: list[str] = []
        opens_q = t[0] in _QUOTE_OPEN if t else False
        if opens_q and not quote:
            quote = True
            f.append("q=open")
        if quote:
            f.append("q=in")
        stripped = t.rstrip(",.;:)]!?*_")
        closes_q = bool(stripped) and stripped[-1] in _QUOTE_CLOSE and (len(stripped) > 1 or not opens_q)
        if quote and closes_q:
            f.append("q=close")
            quote = False
        if t.startswith(("(", "[")):
            paren += 1
        if paren > 0:
            f.append("par=in")
        paren -= t.count(")") + t.count("]") - (t.count("(") + t.count("[")) + (1 if t.startswith(("(", "[")) else 0)
        paren = max(paren, 0)
        it_open = t.startswith(("*", "_", "<i>", "<italic>", "<em>"))
        if it_open:
            italic = True
        if italic:
            f.append("it=in")
        if re.search(r"(?:\*|_|</i>|</italic>|</em>)[.,;:)]*$", t) and (not it_open or len(t) > 2):
            italic = False
        f.append("year=%d" % min(seen_year, 2))
        f.append("stops=%d" % min(stops, 4))
        f.append("commas=%d" % min(commas, 4))
        if _YEAR.search(t):
            seen_year += 1
        if t.endswith(".") and not _INITIALS.match(t) and len(_core(t)) > 1:
            stops += 1
        if t.endswith(","):
            commas += 1
        out.append(f)
    return out


def features(tokens: list[Token]) -> list[list[str]]:
    """Feature lists for a token sequence, one per token."""
    n = len(tokens)
    own = [_token_features(t.text) for t in tokens]
    ctx = [_context_features(t.text) for t in tokens]
    states = _states(tokens)
    seq: list[list[str]] = []
    for i in range(n):
        f = ["bias", *own[i], *states[i]]
        f.append("pos=%d" % min(int(10 * i / n), 9))
        if i == 0:
            f.append("BOS")
        elif i < 3:
            f.append("early=%d" % i)
        if i == n - 1:
            f.append("EOS")
        for off in (-2, -1, 1, 2):
            j = i + off
            if 0 <= j < n:
                f.extend("%+d:%s" % (off, x) for x in (ctx[j] if abs(off) == 1 else ctx[j][:3]))
            else:
                f.append("%+d:none" % off)
        if i > 0:
            # the word pair across the boundary: "In" + capitalised, "pp." + range, "ed." + name
            f.append("pair=%s|%s" % (ctx[i - 1][0] if ctx[i - 1] else "", own[i][0] if own[i] else ""))
        seq.append(f)
    return seq


# --------------------------------------------------------------------------- the model


class ModelMissing(RuntimeError):
    """The trained model file is not there: run ``python -m citeaudit.reflist.train``."""


#: How many times a model file was opened in this process (the cache keeps it at one).
LOADS = 0


@functools.lru_cache(maxsize=4)
def load_tagger(path: str | os.PathLike[str] | None = None):
    """The crfsuite tagger for ``path`` (default: the model shipped in the package), opened once."""
    global LOADS
    import pycrfsuite

    model = Path(path) if path is not None else MODEL_PATH
    if not model.is_file():
        raise ModelMissing(f"no reference-string model at {model}; run `python -m citeaudit.reflist.train`")
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    LOADS += 1
    return tagger


def label_tokens(tokens: list[Token], model: str | os.PathLike[str] | None = None) -> list[Labelled]:
    """Label tokens with the model, each with the marginal probability of its label."""
    if not tokens:
        return []
    tagger = load_tagger(model)
    labels = tagger.tag(features(tokens))
    return [Labelled(tok, lab, tagger.marginal(lab, i)) for i, (tok, lab) in enumerate(zip(tokens, labels))]


def label(text: str, model: str | os.PathLike[str] | None = None) -> list[Labelled]:
    """Tokenise and label one reference string."""
    return label_tokens(tokenize(text), model)
