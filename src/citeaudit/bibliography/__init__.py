"""The bibliography: entries read from BibTeX (and, later, from a manuscript's own
reference list), the problems met reading them, and the keys names are compared by."""

from .keys import fold
from .model import BibProblem, Bibliography, Entry, Name
from .read import decode_latex, load_bibliography, parse_names, person_name, split_blocks

__all__ = [
    "BibProblem", "Bibliography", "Entry", "Name", "decode_latex", "fold", "load_bibliography",
    "parse_names", "person_name", "split_blocks",
]
