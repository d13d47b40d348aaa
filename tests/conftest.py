"""Shared by every test module: the lab's session, built as `backprop-tui` builds it.

A plain function rather than a fixture: tests call it with options
(``lab_session(shuffle=True)``) and often more than once. Test modules import it
(``from conftest import lab_session``), as they import ``reference``.
"""

from __future__ import annotations

from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session


def lab_session(**config: object) -> Session:
    """The lab's data and network, with ``config``'s TrainConfig options."""
    return build_session(DataOptions(), TrainConfig(**config))  # type: ignore[arg-type]
