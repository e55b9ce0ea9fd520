"""Reference lists: typed reference strings parsed into fields by a trained CRF.

    >>> ref = parse_reference("Althusser, Louis. 2017a. *Philosophy for Non-Philosophers*. "
    ...                       "Translated by G. M. Goshgarian. London: Bloomsbury.")
    >>> ref.authors[0].family, ref.year, ref.year_suffix, ref.publisher
    ('Althusser', '2017', 'a', 'Bloomsbury')

The model (``model.crfsuite``, python-crfsuite) is trained by ``python -m citeaudit.reflist.train``
on AnyStyle's gold references (a fifth held out) and on references rendered by pandoc's citeproc
from the shared corpora; it is loaded once per process.
"""

from importlib import import_module

#: What the package offers, by the module that holds it: imported when first asked for, so a
#: run that reads no reference list (segment.py imports `find`) loads neither the CRF nor
#: the field reader.
_WHERE = {
    **{name: ".crf" for name in ("LABELS", "MODEL_PATH", "Labelled", "ModelMissing", "Token", "label", "load_tagger",
                                 "tokenize")},
    **{name: ".fields" for name in ("ParsedReference", "Person", "Segment", "is_repeat_mark", "parse_date", "parse_names",
                                    "parse_reference", "parse_references", "resolve_repeated_authors")},
}

__all__ = sorted(_WHERE)  # noqa: PLE0605 - the names this package serves lazily


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
