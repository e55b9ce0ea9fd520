"""Comparison keys: names and titles folded so that accents, case and punctuation do not
keep two spellings of one name or title apart."""

from __future__ import annotations

import re
import unicodedata

_NOT_KEY = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Compare-key of a name or title: no accents, no case, letters and digits only."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_KEY.sub("", text.casefold().replace("ß", "ss").replace("ø", "o").replace("ł", "l"))
