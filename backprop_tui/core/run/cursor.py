"""Where a session stands, and what a run of it came to: plain values, no machinery.

Kept apart from :mod:`.session` so that places, breakpoints and reports can name
them without importing the stepping machinery.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import Divergence


@dataclass(frozen=True)
class Cursor:
    """Where the session stands: update u (epoch, position in it) and phase index."""

    update: int
    phase: int
    n: int

    @property
    def epoch(self) -> int:
        return self.update // self.n

    @property
    def position(self) -> int:
        return self.update % self.n


@dataclass(frozen=True)
class RunResult:
    epochs_completed: int
    cancelled: bool
    divergence: Divergence | None
