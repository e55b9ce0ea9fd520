"""LaTeX to Unicode exactly as latexcodec's "ulatex" codec decodes it, at a fraction of the
cost on long values.

latexcodec lexes a value into tokens, one per ordinary character, and looks each new token
up, with up to six before it, in its translation table. This decoder runs the same lexer
(latexcodec's own token patterns), the same space and newline states and the same table, but
takes runs of "plain" characters whole: characters that lex as one-character tokens and never
stand next to another plain character (or a space) in any of the table's entries, nor alone
as one; single spaces between them are part of the run. No translation can then reach into a
run beyond its first and last characters, which are looked up as latexcodec looks them up;
what lies between is copied as it is. The plain set is worked
out from latexcodec's table when first needed, so another version of latexcodec keeps this
exact. tests/test_bibliography.py compares the two on generated and corpus values.
"""

from __future__ import annotations

import re

_DECODER = None


class LatexDecodeError(ValueError):
    """A token latexcodec cannot decode (a lone backslash at the end)."""


def _build():
    from latexcodec import codec, lexer

    table = codec.LatexIncrementalDecoder.table
    umap = table.unicode_map
    singles: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for key in umap:
        if len(key) == 1 and key[0].name == "chars":
            singles.add(key[0].text)
        for a, b in zip(key, key[1:]):
            if a.name == b.name == "chars" and len(a.text) == 1 and len(b.text) == 1:
                pairs.append((a.text, b.text))
    # characters that start another token than a one-character "chars" token, or a longer one
    excluded = set(" \t\n\r%#$\\-`'?!{}") | {s for s in singles if len(s) == 1}
    for a, b in sorted(pairs):
        if a not in excluded and b not in excluded:  # keep one of the two out of runs
            excluded.add(a if not a.isalnum() else b)
    spaced = any(t.name == "space" and len(key) == 1
                 or t.name in ("space", "newline") and i + 1 < len(key) and key[i + 1].name == "chars"
                 or t.name == "chars" and i + 1 < len(key) and key[i + 1].name == "space"
                 for key in umap for i, t in enumerate(key))
    one = "[^" + "".join(re.escape(ch) for ch in sorted(excluded)) + "]"
    # a run: plain characters, with single spaces between them where no entry of the table
    # puts a space next to a character (a space between two characters is then copied too)
    plain = f"{one}(?:{'' if spaced else ' ?'}{one})+"
    parts = []
    for name, pattern in lexer.LatexLexer.tokens:
        if name == "chars":
            parts.append(f"(?P<run>{plain})")
        parts.append(f"(?P<{name}>{pattern})")
    regexp = re.compile("|".join(parts), re.DOTALL)
    lasts = {key[-1] for key in umap}
    return regexp, umap, table.max_length, lasts


def ulatex(text: str) -> str:
    """`codecs.decode(text, "ulatex")`; LatexDecodeError where that raises."""
    global _DECODER
    if _DECODER is None:
        _DECODER = _build()
    regexp, umap, max_length, lasts = _DECODER
    out: list[str] = []
    emit = out.append
    buf: list[tuple[str, str]] = []
    state = "N"

    def push(token: tuple[str, str]) -> None:
        nonlocal buf
        buf.append(token)
        if token in lasts:
            n = len(buf)
            for i in range(n, 0, -1):
                found = umap.get(tuple(buf[n - i:]))
                if found is not None:
                    for t in buf[: n - i]:
                        emit(t[1] + " " if t[0] == "control_word" else t[1])
                    emit(found)
                    buf = []
                    return
        while len(buf) >= max_length:
            t = buf.pop(0)
            emit(t[1] + " " if t[0] == "control_word" else t[1])

    for m in regexp.finditer(text):
        name = m.lastgroup
        value = m.group()
        if name == "run":
            state = "M"
            push(("chars", value[0]))
            for t in buf:
                emit(t[1] + " " if t[0] == "control_word" else t[1])
            buf = []
            emit(value[1:-1])
            push(("chars", value[-1]))
        elif name == "chars":
            state = "M"
            push((name, value))
        elif name == "space":
            if state == "M":
                state = "S"
                push((name, value))
        elif name == "newline":
            if state == "N":
                push(("control_word", "\\par"))
            elif state == "S":
                state = "N"
            else:
                state = "N"
                push(("space", " "))
        elif name in ("control_word", "control_symbol"):
            state = "S"
            push((name, value))
        elif name == "comment":
            state = "S"
        elif name == "unknown":
            raise LatexDecodeError(f"unknown token {value!r}")
        else:  # mathshift, parameter, control_symbol_x, control_symbol_x2
            state = "M"
            push((name, value))
    for t in buf:
        emit(t[1] + " " if t[0] == "control_word" else t[1])
    return "".join(out)
