"""Pickling for the model's frozen, slotted dataclasses: what the cache keeps and what the
worker processes send back is made of tens of thousands of them.

dataclasses pickles such a class through `__getstate__`/`__setstate__` functions that look
up the class's fields on every call and set each attribute through `object.__setattr__`;
these read the fields with one `attrgetter` and set them through the slots' own
descriptors: a manuscript's extraction loads and dumps twice as fast, a bibliography
1.3 to 1.9 times (benchmarks/pickling.py). The state is the tuple of field values, in
field order."""

from __future__ import annotations

import dataclasses
import sys
from operator import attrgetter


def _quick(cls: type) -> None:
    names = tuple(f.name for f in dataclasses.fields(cls))
    setters = tuple(cls.__dict__[name].__set__ for name in names)
    get = attrgetter(*names)

    if len(names) == 1:
        def __getstate__(self):
            return (get(self),)
    else:
        def __getstate__(self):
            return get(self)

    def __setstate__(self, state) -> None:
        for put, value in zip(setters, state):
            put(self, value)

    cls.__getstate__ = __getstate__  # type: ignore[method-assign]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]


def quick_pickling(module_name: str) -> None:
    """Give every frozen, slotted dataclass defined in the module the faster pickling (not
    those that pickle their own way)."""
    for obj in list(vars(sys.modules[module_name]).values()):
        if (isinstance(obj, type) and obj.__module__ == module_name and dataclasses.is_dataclass(obj)
                and obj.__dataclass_params__.frozen and "__slots__" in obj.__dict__  # type: ignore[attr-defined]
                and getattr(obj.__getstate__, "__qualname__", "") == "_dataclass_getstate"
                and dataclasses.fields(obj)):
            _quick(obj)
