"""Checking a student's ``forward_backward_pass`` against the engine.

``backprop-tui check FILE.py`` runs the student's code in a child process under
a time limit (:mod:`.sandbox`, :mod:`.runner`); the app compares one sample at a
time in-process with :func:`compare_sample`. Nothing here imports Textual.
"""

from .compare import Mismatch, QuantityCheck, SampleComparison, compare_call, compare_sample
from .loader import CallResult, Raised, Student, StudentError, load_student
from .origin import DerivedDelta, Origin

__all__ = [
    "CallResult",
    "DerivedDelta",
    "Mismatch",
    "Origin",
    "QuantityCheck",
    "Raised",
    "SampleComparison",
    "Student",
    "StudentError",
    "compare_call",
    "compare_sample",
    "load_student",
]
