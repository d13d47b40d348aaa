"""backprop-tui: a terminal step-through debugger for backpropagation in a small MLP.

The names below are the stable Python API for notebooks and scripts (README,
"Python API"); they keep their names across releases. Importing this package
imports neither Textual nor numpy: each name is loaded on first use, so the
command line's ``--help`` stays instant and a notebook never pays for the app.

    >>> from backprop_tui import DataOptions, TrainConfig, build_session
    >>> session = build_session(DataOptions("lab"), TrainConfig(epochs=5))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "build_session": "backprop_tui.core.run.training",
    "DataOptions": "backprop_tui.core.run.training",
    "TrainConfig": "backprop_tui.core.run.session",
    "Session": "backprop_tui.core.run.session",
    "Cursor": "backprop_tui.core.run.session",
    "RunResult": "backprop_tui.core.run.session",
    "gradient_check": "backprop_tui.core.network.gradcheck",
    "Limits": "backprop_tui.core.limits",
    "DataError": "backprop_tui.core.data.errors",
    "Params": "backprop_tui.core.network.params",
    "Edit": "backprop_tui.core.debugger.editing",
    "EditError": "backprop_tui.core.debugger.edits",
    "PHASES": "backprop_tui.core.network.phases",
    "Architecture": "backprop_tui.core.network.arch",
}
__all__ = ["Architecture", "Cursor", "DataError", "DataOptions", "Edit", "EditError", "Limits",
           "PHASES", "Params", "RunResult", "Session", "TrainConfig", "__version__",
           "build_session", "gradient_check"]

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ loads lazily
    from .core.data.errors import DataError
    from .core.debugger.editing import Edit
    from .core.debugger.edits import EditError
    from .core.limits import Limits
    from .core.network.arch import Architecture
    from .core.network.gradcheck import gradient_check
    from .core.network.params import Params
    from .core.network.phases import PHASES
    from .core.run.session import Cursor, RunResult, Session, TrainConfig
    from .core.run.training import DataOptions, build_session


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'backprop_tui' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
