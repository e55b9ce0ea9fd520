"""Reference lists: typed reference strings parsed into fields by a trained CRF.

    >>> ref = parse_reference("Althusser, Louis. 2017a. *Philosophy for Non-Philosophers*. "
    ...                       "Translated by G. M. Goshgarian. London: Bloomsbury.")
    >>> ref.authors[0].family, ref.year, ref.year_suffix, ref.publisher
    ('Althusser', '2017', 'a', 'Bloomsbury')

The model (``model.crfsuite``, python-crfsuite) is trained by ``python -m citeaudit.reflist.train``
on AnyStyle's gold references (a fifth held out) and on references rendered by pandoc's citeproc
from the shared corpora; it is loaded once per process.
"""

from .crf import LABELS, MODEL_PATH, Labelled, ModelMissing, Token, label, load_tagger, tokenize
from .fields import (
    ParsedReference,
    Person,
    Segment,
    is_repeat_mark,
    parse_date,
    parse_names,
    parse_reference,
    parse_references,
    resolve_repeated_authors,
)

__all__ = [
    "LABELS",
    "MODEL_PATH",
    "Labelled",
    "ModelMissing",
    "ParsedReference",
    "Person",
    "Segment",
    "Token",
    "is_repeat_mark",
    "label",
    "load_tagger",
    "parse_date",
    "parse_names",
    "parse_reference",
    "parse_references",
    "resolve_repeated_authors",
    "tokenize",
]
