"""The limits every run respects: how much data it reads and how much memory it may take.

A classroom tool is pointed at whatever a student types: a URL that streams
forever, ``/dev/zero``, a 10 GB export, ``--hidden 1000000000``. Each of those
must end in one clear line, quickly, not in an exhausted machine. The limits
are plain data so that the command line, the app and scripts share them; the
ones a user may legitimately need to raise have options (README, "Limits").
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

MAX_HIDDEN = 1000
"""Hidden units: the debugger shows every number, and 1000 units is far past readable."""
MAX_EPOCHS = 10**9
"""Epochs of one run or option: a billion epochs of the lab are hours even compiled (and
a number with hundreds of digits must be refused, not overflow a float later)."""
MAX_TIMEOUT = 3600.0
"""Seconds a student's code may take in ``check``: an hour is plenty for any lab."""

MIB = 1024 * 1024


def _default_memory_mb() -> float:
    """Half the machine's memory available now (4 GiB when the system does not say)."""
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 4096.0
    return max(256.0, available / 2 / MIB) if available > 0 else 4096.0


@dataclass(frozen=True)
class Limits:
    """Bounds on the input and the run. Each has a command-line option of the same name."""

    max_size_mb: float = 256.0  # bytes of a file or download, in MiB
    download_timeout: float = 60.0  # seconds for a whole download
    max_rows: int = 10_000_000
    max_columns: int = 1000
    max_memory_mb: float | None = None  # None: half the memory available at start

    def validate(self) -> None:
        """Raise ValueError for limits that are themselves meaningless (0, negative, nan)."""
        for name, value in (("--max-size", self.max_size_mb),
                            ("--download-timeout", self.download_timeout),
                            ("--max-memory", self.max_memory_mb)):
            if value is not None and not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {value:g}")
        for name, count in (("--max-rows", self.max_rows), ("--max-columns", self.max_columns)):
            if count < 2:
                raise ValueError(f"{name} must be >= 2, got {count}")

    @property
    def max_bytes(self) -> int:
        return _bytes(self.max_size_mb)

    @property
    def memory_bytes(self) -> int:
        return _bytes(self.max_memory_mb if self.max_memory_mb is not None
                      else _default_memory_mb())


def _bytes(mb: float) -> int:
    """MiB to bytes, saturating: --max-memory 1e308 means "no practical limit", not a crash."""
    return int(min(mb * MIB, 2.0**62))


def run_memory_bytes(n_rows: int, n_inputs: int, hidden: int | tuple[int, ...],
                     max_checkpoints: int = 8192, n_outputs: int = 1) -> int:
    """A generous estimate of what a session allocates, before it allocates anything.

    The timeline keeps the training rows as Python floats (~32 bytes a number)
    and up to ``max_checkpoints`` copies of the parameters; the phase values,
    replay and the gradient check hold a few more parameter-sized arrays.
    """
    sizes = (n_inputs, *((hidden,) if isinstance(hidden, int) else hidden), n_outputs)
    n_params = sum(b * (a + 1) for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    rows = n_rows * (96 + 32 * (n_inputs + 1))
    history = max_checkpoints * n_params * 8
    working = 40 * n_params * 8
    return rows + history + working


def format_bytes(n: float) -> str:
    """'22.4 GiB', '640 MiB': the units a user compares with their machine."""
    if n >= 1024 * MIB:
        return f"{n / (1024 * MIB):.1f} GiB"
    if n >= MIB:
        return f"{n / MIB:.0f} MiB"
    return f"{n / 1024:.0f} KiB" if n >= 1024 else f"{n:.0f} bytes"
