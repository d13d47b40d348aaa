"""Checking a student's ``forward_backward_pass`` against the engine.

``backprop-tui check FILE.py`` runs the student's code in a child process under
a time limit (:mod:`.sandbox`, :mod:`.runner`); the app compares one sample at a
time with :func:`compare_call`. A mismatch is explained by reproducing known slips
(:mod:`.slips`, :mod:`.diagnose`, :mod:`.shapes`, :mod:`.precision`, :mod:`.state`);
:mod:`.origin` reads the student's delta2 and delta1 back from their gradients.
Nothing here imports Textual.
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
