"""Plot axes a reader can read aloud, and curves thinned to what a plot can show.

Pure numbers (no Textual, no plotext), so any front end can use them: 1-2-5 ticks
for log and linear axes with plain labels (0.002, not 2e-03 or 0.00215), and the
min/max thinning that keeps a 100,000-epoch curve to ~2 points per column while
keeping its first and last epochs and its spikes.
"""

from __future__ import annotations

import math

import numpy as np


def _plain(value: float) -> str:
    """0.002 rather than 2e-03; exponents only far from 1."""
    if value == 0:
        return "0"
    k = math.floor(math.log10(abs(value)) + 1e-9)
    if -5 <= k < 6:
        return f"{value:.{max(0, -k)}f}"
    return f"{value / 10.0**k:.3g}e{k}"


def labels(ticks: list[float], log: bool) -> list[str]:
    """Tick labels written plainly; a linear axis shows as many decimals as its step. One
    axis never mixes forms: if one label needs an exponent, every label has one."""
    if log or len(ticks) < 2:
        plain = [_plain(t) for t in ticks]
        if any("e" in label for label in plain):
            return [f"{t:.0e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")
                    if t else "0" for t in ticks]
        return plain
    decimals = max(0, -math.floor(math.log10(ticks[1] - ticks[0]) + 1e-9))
    return [f"{t:.{decimals}f}" for t in ticks]


def log_ticks(lo: float, hi: float, room: int) -> tuple[list[float], tuple[float, float]]:
    """Ticks and limits for a log axis over [lo, hi] (both > 0): the limits are the 1-2-5
    values just around the data; the ticks are every 1-2-5 value between them, or when
    more than ``room`` would not fit, powers of ten (every one, or every few)."""
    k_lo, k_hi = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    nice = [m * 10.0**k for k in range(k_lo, k_hi + 2) for m in (1, 2, 5)]
    bottom = max(t for t in nice if t <= lo)
    top = min(t for t in nice if t >= hi and t > bottom)
    ticks = [t for t in nice if bottom <= t <= top]
    every = 1
    while len(ticks) > max(room, 2):
        ticks = [10.0**k for k in range(k_lo, k_hi + 1)
                 if k % every == 0 and bottom <= 10.0**k <= top]
        every += 1
    if len(ticks) < 2:
        ticks = sorted({bottom, *ticks, top})
    return ticks, (bottom, top)


def linear_ticks(lo: float, hi: float, room: int) -> list[float]:
    """Multiples of a 1-2-5 step covering [lo, hi], at most ``room`` of them."""
    if hi <= lo:
        pad = abs(lo) / 2 or 1.0
        lo, hi = lo - pad, hi + pad
    k = math.floor(math.log10((hi - lo) / max(room - 1, 1)))
    for step in (m * 10.0**e for e in (k, k + 1, k + 2) for m in (1, 2, 5)):
        first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
        if last - first + 1 <= max(room, 2):
            return [i * step for i in range(first, last + 1)]
    return [lo, hi]  # pragma: no cover - the loop always finds a step


def thin(xs: np.ndarray, ys: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ~2 points per column: the first and last exactly, and in between the
    lowest and highest value of each column's run of epochs (so spikes stay visible)."""
    n = len(xs)
    if n <= 2 * columns + 2:
        return xs, ys
    edges = np.linspace(1, n - 1, columns + 1).astype(int)
    starts, ends = edges[:-1], edges[1:] - 1
    hi, lo = np.fmax.reduceat(ys[1:-1], starts - 1), np.fmin.reduceat(ys[1:-1], starts - 1)
    falling = ys[starts] >= ys[ends]  # a falling run draws its high point first
    mid_x = np.column_stack([xs[starts], xs[ends]]).ravel()
    mid_y = np.column_stack([np.where(falling, hi, lo), np.where(falling, lo, hi)]).ravel()
    return np.r_[xs[:1], mid_x, xs[-1:]], np.r_[ys[:1], mid_y, ys[-1:]]
