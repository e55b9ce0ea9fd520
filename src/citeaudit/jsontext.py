"""JSON as citeaudit writes it: what `json.dumps(value, ensure_ascii=False, indent=2)` writes,
byte for byte, at the speed of its C string escaping. json's own indenting encoder is
written in Python and generic, node by node; the reports and exports are many small objects
(a 20,000-entry .bib makes 30,000 findings and 20,000 CSL items)."""

from __future__ import annotations

import json
from json.encoder import encode_basestring as encode  # json's own (C) escaping, ensure_ascii=False
from typing import Any

__all__ = ["dumps", "encode"]

_INF = float("inf")


def dumps(value: Any, indent: str = "") -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)` of a value standing `indent` deep,
    byte for byte, for dicts (of str keys), lists, tuples, strings, numbers, booleans and
    None. json's own indenting encoder is written in Python and generic; this one is
    two to three times as fast on a report's many small objects (benchmarks/README.md).
    Anything else is left to json.dumps."""
    t = type(value)
    if t is str:
        return encode(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if t is int:
        return int.__repr__(value)
    if t is float:  # as json's floatstr (allow_nan)
        if value != value:
            return "NaN"
        if value in (_INF, -_INF):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    inner = indent + "  "
    if t is dict:
        if not value:
            return "{}"
        out = []
        for k, v in value.items():
            if type(k) is not str:
                break
            tv = type(v)  # the commonest values here, without a call
            if tv is str:
                out.append(f"{inner}{encode(k)}: {encode(v)}")
            elif tv is int:
                out.append(f"{inner}{encode(k)}: {int.__repr__(v)}")
            elif v is None:
                out.append(f"{inner}{encode(k)}: null")
            else:
                out.append(f"{inner}{encode(k)}: {dumps(v, inner)}")
        else:
            return "{\n" + ",\n".join(out) + "\n" + indent + "}"
    elif t is list or t is tuple:
        if not value:
            return "[]"
        return "[\n" + ",\n".join([inner + (encode(v) if type(v) is str else dumps(v, inner)) for v in value]) + "\n" + indent + "]"
    # subclasses, keys that are not strings: as json writes them
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)
