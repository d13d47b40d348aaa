"""Checking a student's ``forward_backward_pass`` against the engine.

``backprop-tui check FILE.py`` runs the student's code in a child process under
a time and a memory limit (:mod:`.sandbox`, :mod:`.runner`), which hides this
package from it (:mod:`.isolate`) and speaks framed JSON with it, never pickle
(:mod:`.wire`, :mod:`.values`); the app compares one sample at a time with
:func:`compare_call`. Values are judged against the engine's recomputed in
extended precision (:mod:`.exact`, :mod:`.quantities`, :mod:`.verdict`). A
mismatch is explained by reproducing known slips (:mod:`.slips`, :mod:`.diagnose`,
:mod:`.shapes`, :mod:`.precision`, :mod:`.state`); :mod:`.origin` reads the
student's delta2 and delta1 back from their gradients. Nothing here imports Textual.
"""

from __future__ import annotations

import importlib

# Names re-exported lazily (PEP 562): importing one submodule (the app's sandbox, the
# command line's loader) must not import them all, numpy and the gradient check with them.
_HOMES = {"Mismatch": "compare", "QuantityCheck": "compare", "SampleComparison": "compare",
          "compare_call": "compare", "compare_sample": "compare", "CallResult": "loader",
          "Raised": "loader", "Student": "loader", "StudentError": "loader",
          "load_student": "loader", "DerivedDelta": "origin", "Origin": "origin"}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)


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
