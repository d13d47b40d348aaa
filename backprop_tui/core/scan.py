"""The search behind breakpoints: the first position after the cursor where one fires.

A breakpoint fires where its condition becomes true: it holds there and did not
at the position before (at the cursor, for the first one). So ``L < 0.01`` fires
at the L phase of each sample whose loss is small (before L is computed it does
not hold), ``sample == 5`` once per epoch, ``W2[0,1] > 1`` each time it crosses 1
upwards; and continuing from a stop goes on to the next occurrence instead of
stopping again one phase later.

Positions are (update u, phase k), in the session's order. What each update
costs depends on what the conditions read, so the scan picks the cheapest tier
that still sees every value they use, and never shows a different number from
the session's own:

* ``position`` (only epoch, sample, row, phase, lr): no arithmetic at all;
* ``params`` (also W1, b1, W2, b2, x, y): P(u) stepped in plain floats by the
  trainer itself (:func:`~backprop_tui.core.kernel.sgd_samples`), the very bits
  the timeline replays;
* ``sample`` (any other quantity): :func:`~backprop_tui.core.phases.run_phases`
  on P(u), as the session computes its values (numpy's matrix product may round
  differently from a plain loop, so nothing cheaper is bit-identical), and only
  up to the last phase any condition reads.

A condition that does not read ``phase`` keeps its value between the phases
that add a quantity it reads, so it is evaluated only there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .condcompile import POSITION_NAMES
from .conditions import Condition, context_at, position_context
from .kernel import FastParams, sgd_samples
from .network import PARAM_NAMES
from .phases import PHASE_INDEX, PHASES, PRODUCED_BY, UPDATE_PHASE, run_phases

CHEAP_NAMES = frozenset(PARAM_NAMES) | {"x", "y"}  # known before any phase runs
Hit = tuple[int, int, int]  # (update, phase, index of the condition)


def tier(conditions: Sequence[Condition]) -> str:
    """The cheapest way to scan that still gives every name these conditions read."""
    names = {n for c in conditions for n in c.names}
    if names <= set(POSITION_NAMES):
        return "position"
    return "params" if names <= set(POSITION_NAMES) | CHEAP_NAMES else "sample"


def phase_of(name: str) -> int:
    """The phase after which ``name`` is in the context (0 for what is always there)."""
    return 0 if name in CHEAP_NAMES or name in POSITION_NAMES else PHASE_INDEX[PRODUCED_BY[name]]


def nonfinite_phase(session, u: int) -> int:
    """The first phase of update u whose values are not all finite (its update if none)."""
    row = session.timeline.row(u)
    values = run_phases(session.timeline.params_at(u), session.dataset.X_train[row],
                        float(session.dataset.y_train[row]), session.timeline.lr_at(u))
    for k, phase in enumerate(PHASES):
        with np.errstate(all="ignore"):
            if not all(np.isfinite(values[n]).all() for n in phase.produces):
                return k
    return UPDATE_PHASE


class Scanner:
    """Evaluates conditions at the positions of consecutive updates, carrying P(u)."""

    def __init__(self, session, conditions: Sequence[Condition], start: int) -> None:
        self.session, self.conditions = session, list(conditions)
        self.tier = tier(self.conditions)
        self.last_phase = max((phase_of(n) for c in self.conditions for n in c.quantities),
                              default=0)
        # at phase k, the conditions whose value may change there (all of them at the
        # first phase of a range: their value there was never looked at)
        self.at_phase: list[list[int]] = [[] for _ in PHASES]
        for i, c in enumerate(self.conditions):
            phases = range(len(PHASES)) if c.uses_phase else {0, *map(phase_of, c.quantities)}
            for k in phases:
                self.at_phase[k].append(i)
        self.every = list(range(len(self.conditions)))
        # whether each held at the last position looked at: a breakpoint fires where its
        # condition becomes true, so `c` from a stop goes on to the next time it does
        start_ctx = context_at(session)
        self.held = [c.holds(start_ctx) for c in self.conditions]
        self.p: FastParams | None = None
        if self.tier != "position":
            self.p = FastParams.from_params(session.timeline.params_at(start))
        self.data = session.timeline.data
        self.u = start  # the update whose parameters self.p holds

    def check(self, u: int, lo: int, hi: int) -> tuple[int, int] | None:
        """(phase, condition index) of the first position of u, in phases lo..hi, where a
        condition becomes true (holds there, and did not at the position before)."""
        if u != self.u:
            raise ValueError(f"scanner holds update {self.u}, asked for {u}")
        s = self.session
        ctx = position_context(s, u, 0)
        values = None
        if self.tier != "position":
            p, row = self.p, int(ctx["row"])
            if self.tier == "params":
                ctx.update(W1=p.W1, b1=p.b1, W2=[p.W2], b2=[p.b2], x=self.data.xs[row],
                           y=self.data.ys[row])
            else:
                params = p.to_params()
                values = run_phases(params, s.dataset.X_train[row], float(s.dataset.y_train[row]),
                                    s.timeline.lr_at(u), upto=self.last_phase)
                ctx.update(params.as_dict())
        for k in range(hi + 1):
            if values is not None and k <= self.last_phase:
                for name in PHASES[k].produces:
                    ctx[name] = values[name]
            if k < lo:
                continue
            ctx["phase"] = PHASES[k].key
            held = self.held
            for i in self.every if k == lo else self.at_phase[k]:
                now = self.conditions[i].holds(ctx)
                if now and not held[i]:
                    return k, i
                held[i] = now
        return None

    def step(self) -> None:
        """On to the next update: P(u + 1) from P(u), by the trainer's own loop, with
        that update's η; an edited P(u + 1) (key =) replaces what SGD made."""
        tl = self.session.timeline
        if self.p is not None:
            row = tl.row(self.u)
            sgd_samples(self.p, [self.data.xs[row]], [self.data.ys[row]], tl.lr_at(self.u), [])
            edited = tl.overrides.flat_at(self.u + 1)
            if edited is not None:
                self.p = FastParams.from_flat(list(edited), len(self.p.W1[0]), len(self.p.b1))
        self.u += 1
