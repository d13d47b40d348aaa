"""The teacher's session as a state to publish, cheaply enough to do on every key.

:func:`~..core.savefile.state_of` hashes the training and test arrays each time
it is called: nothing for the lab, a second for ten million rows. A teacher
publishes on every key, so the data reference (with its hash) is made once per
dataset and reused; what changes from key to key (the cursor, the edits, the
breakpoints and watches, the options after a lesson changes them) is a few small
tuples.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace

from ..core.data.datasets import BUNDLED, Dataset
from ..core.data.source import is_url
from ..core.files.savefile import SavedBreakpoint, SavedEdit, SavedPlace, SessionState, state_of
from ..core.run.session import Session
from ..core.run.training import DataOptions

__all__ = ["StateMaker", "data_file"]


def data_file(source: str) -> str | None:
    """The local file a dataset source names (what ``GET /data`` serves), or None for
    the lab, the bundled Iris (every follower has them) and a URL (followers fetch it)."""
    if source == "lab" or source in BUNDLED or is_url(source):
        return None
    return os.path.abspath(os.path.expanduser(source))


class StateMaker:
    """Makes :class:`SessionState` values for one teacher, hashing each dataset once."""

    def __init__(self) -> None:
        self._dataset: Dataset | None = None  # held, so that its id is never reused
        self._data: DataOptions | None = None
        self._base: SessionState | None = None

    def state(self, session: Session, data: DataOptions,
              breakpoints: Iterable[SavedBreakpoint | tuple[str, bool]] = (),
              watches: Iterable[str] = ()) -> SessionState:
        """The state of ``session`` (opened with ``data``): its edits, ``breakpoints``
        (``savefile.Breakpoint`` or (text, enabled)) and ``watches`` (texts)."""
        if self._base is None or session.dataset is not self._dataset or data != self._data:
            self._base = state_of(session, data)  # the one costly part: the data's hash
            self._dataset, self._data = session.dataset, data
        c = session.cursor
        marks = tuple(b if isinstance(b, SavedBreakpoint) else SavedBreakpoint(b[0], b[1])
                      for b in breakpoints)
        return replace(self._base, config=session.config,
                       edits=tuple(SavedEdit(e.update, e.text) for e in session.edits),
                       breakpoints=marks, watches=tuple(watches),
                       cursor=SavedPlace(c.update, c.phase))
