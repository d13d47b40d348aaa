"""Ask mode (key a): predict, then reveal.

Stepping onto a phase first shows its formula with the numbers it reads and "?" in
place of everything it produces (in the panels, the equation and the diagram alike);
the next n reveals them. The mode is a view over the session: the core computes as
always, and :class:`AskView` hands the renderers the same values with the asked
ones replaced by :class:`Unknown` arrays, which every renderer draws as "?".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core.run.session import Session


class Unknown(np.ndarray):
    """A value the class is asked for: its shape is known, its numbers are not shown."""


def unknown_like(value: object) -> Unknown:
    return np.full(np.shape(value), np.nan).view(Unknown)


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


class AskView:
    """The session as the renderers see it in ask mode: the asked values hidden."""

    def __init__(self, session: Session, hidden: tuple[str, ...]) -> None:
        self._session = session
        self.hidden = hidden
        values = session.values
        self.values = {k: (unknown_like(v) if k in hidden else v) for k, v in values.items()}

    def __getattr__(self, name: str) -> object:
        return getattr(self._session, name)


class AskMode:
    """Whether the class is asked before each phase, and which position is still asked."""

    def __init__(self, changed: Callable[[bool], None] = lambda on: None) -> None:
        """``changed(on)`` after each toggle (the app's ``asking`` reactive)."""
        self.on = False
        self._changed = changed
        self.asked: tuple[int, int] | None = None  # (update, phase) whose values are hidden

    def toggle(self) -> None:
        self.on = not self.on
        self.asked = None  # what is on screen now stays shown
        self._changed(self.on)

    def hidden(self, session: Session) -> tuple[str, ...]:
        c = session.cursor
        if not self.on or self.asked != (c.update, c.phase):
            return ()
        return session.net.phases[c.phase].produces

    def arrived(self, session: Session) -> None:
        """The cursor stepped forward onto a phase: ask for it (loading a sample is no
        question). Any other move lands on a phase that is shown."""
        c = session.cursor
        self.asked = (c.update, c.phase) if self.on and c.phase > 0 else None

    def reveal(self, session: Session) -> bool:
        """Show what the current phase produced; False when nothing was asked."""
        if self.hidden(session):
            self.asked = None
            return True
        return False

    def view(self, session: Session) -> Session | AskView:
        hidden = self.hidden(session)
        return AskView(session, hidden) if hidden else session
