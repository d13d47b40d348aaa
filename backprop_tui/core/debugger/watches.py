"""Watches: expressions followed over the run, at the cursor and as a history to plot.

A watch is a :class:`~backprop_tui.core.debugger.conditions.Condition` used as an
expression (``W2[0,1]``, ``L``, ``norm(dW1)``, ``abs(a1)``). Its value at the
cursor is what the screen shows (NOT_YET before its phase); its history has one
point per update u: the value at (u, update), every phase of u computed, with
W1..bL still the parameters *before* u's update (as the screen shows them at
that phase). Updates 0..cursor-1 are drawn, and the cursor's own update too once
the cursor stands on its update phase. An array-valued watch is drawn as its
norm, and :func:`label` says so.

A long run is sampled: at most ``max_points`` updates, evenly spread and moved
onto the timeline's checkpoints when those are as dense, so drawing a million
updates costs about what drawing 2000 does (no replay at all).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..network.params import Params
from .conditions import Condition, context_at, position_context
from .scan import tier

MAX_WATCHES = 16


class Watches:
    """The session's watch list, in the order added (indices from 0)."""

    def __init__(self) -> None:
        self._items: list[Condition] = []

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Condition]:
        return iter(self._items)

    def __getitem__(self, i: int) -> Condition:
        if not 0 <= i < len(self._items):
            raise ValueError(f"no watch {i + 1} (there are {len(self._items)})")
        return self._items[i]

    def add(self, condition: Condition) -> Condition:
        """Append one; ValueError (one line) when the list is full or already has it."""
        self.check(condition)
        self._items.append(condition)
        return condition

    def check(self, condition: Condition) -> None:
        """What :meth:`add` refuses, without adding."""
        for i, w in enumerate(self._items):
            if w.key == condition.key:
                raise ValueError(f"watch {i + 1} already shows {w.text}")
        if len(self._items) >= MAX_WATCHES:
            raise ValueError(f"at most {MAX_WATCHES} watches: delete one first")

    def delete(self, i: int) -> Condition:
        self[i]
        return self._items.pop(i)

    def values_at(self, session) -> list[object]:
        """Each watch's value at the cursor (NOT_YET where its phase is not reached)."""
        context = context_at(session)
        return [w.evaluate(context) for w in self._items]


def value_at(session, condition: Condition) -> object:
    """The watch's value at the cursor, from the session's own values, or NOT_YET."""
    return condition.evaluate(context_at(session))


def label(condition: Condition) -> str:
    """What the history plots: the expression, or its norm when it is an array."""
    return condition.text if condition.is_scalar else f"norm({condition.text})"


def history_updates(session, max_points: int = 2000) -> list[int]:
    """The updates a history draws: all of them up to the cursor, or an even sample."""
    c = session.cursor
    m = c.update + (1 if c.phase == session.net.update_phase else 0)
    if m <= max_points:
        return list(range(m))
    max_points = max(max_points, 2)
    picks = [round(i * (m - 1) / (max_points - 1)) for i in range(max_points)]
    interval = session.timeline.interval
    if (m - 1) / (max_points - 1) >= interval:  # as sparse as the checkpoints: use them
        picks = [p - p % interval for p in picks[:-1]] + [picks[-1]]
    return sorted(set(picks))


def history(session, condition: Condition, max_points: int = 2000
            ) -> tuple[list[int], list[float]]:
    """(updates, values): the watch after each update's full step (see the module doc).

    Values are floats (a truth value is 1.0 or 0.0, an array its norm); nan or inf
    where the run diverged.
    """
    updates = history_updates(session, max_points)
    tl, data, net = session.timeline, session.dataset, session.net
    kind = tier([condition], net)
    values: list[float] = []
    at, flat = -1, None  # the parameters P(at) last rebuilt
    for u in updates:
        ctx = position_context(session, u, net.update_phase)
        if kind != "position":
            start, start_flat = tl.checkpoint_before(u)
            if flat is None or start > at:
                at, flat = start, start_flat
            flat, at = tl.replay(flat, at, u), u
            params = Params.from_sizes(np.asarray(flat, dtype=float), session.arch.sizes)
            row = int(ctx["row"])
            x, y = data.X_train[row], session.target(row)
            if kind == "params":
                ctx.update(params.as_dict(), x=x, y=y)
            else:
                ctx.update(net.run(params, x, y, tl.lr_at(u)))
        values.append(_as_float(condition.evaluate(ctx)))
    return updates, values


def _as_float(value: object) -> float:
    if isinstance(value, np.ndarray):
        with np.errstate(all="ignore"):
            flat = value.ravel().astype(float)
            return float(np.sqrt(np.dot(flat, flat)))
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # NOT_YET: cannot happen once every phase has run
        return float("nan")
