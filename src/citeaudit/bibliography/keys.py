"""Comparison keys: names and titles folded so that accents, case and punctuation do not
keep two spellings of one name or title apart."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_KEY = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Compare-key of a name or title: no accents, no case, letters and digits only."""
    if text.isascii():  # nothing to decompose, and casefold() is lower() there
        return _NOT_KEY.sub("", text.lower())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_KEY.sub("", text.casefold().replace("ß", "ss").replace("ø", "o").replace("ł", "l"))
