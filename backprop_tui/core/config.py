"""The training options shared by the app, ``train``, ``trace`` and ``check``.

Kept apart from the session so that what a run is made with can be read (and
saved, :mod:`.savefile`) without the machinery that runs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .limits import MAX_EPOCHS, MAX_HIDDEN


@dataclass(frozen=True)
class TrainConfig:
    """The training options shared by the app, ``train`` and ``check``."""

    hidden: int = 2
    lr: float = 0.5
    epochs: int = 20
    seed: int = 42
    init_scale: float = 0.1
    shuffle: bool = False

    def validate(self) -> None:
        """Raise ValueError with a one-line reason for settings no run can use."""
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"learning rate must be a finite number > 0, got {self.lr:g}")
        if not 0 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(f"epochs must be between 0 and {MAX_EPOCHS:,}, got "
                             f"{_short(self.epochs)}")
        if not 1 <= self.hidden <= MAX_HIDDEN:
            raise ValueError(f"hidden units must be between 1 and {MAX_HIDDEN}, got "
                             f"{self.hidden}")
        if not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be between 0 and 2**32 - 1, got {self.seed}")
        if not (math.isfinite(self.init_scale) and self.init_scale >= 0):
            raise ValueError(f"init scale must be a finite number >= 0, got {self.init_scale:g}")


def _short(number: int) -> str:
    """A number for a one-line message: a pasted 400-digit one is cut, with its length."""
    text = str(number)
    return text if len(text) <= 20 else f"{text[:12]}… ({len(text)} digits)"
