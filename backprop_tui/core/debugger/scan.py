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
* ``params`` (also W1, b1, ..., WL, bL, x, y): P(u) stepped in plain floats by the
  trainer itself (:func:`~backprop_tui.core.network.kernel.sgd_samples` for the lab's
  network, :func:`~backprop_tui.core.network.netkernel.sgd_net` for any other), the very
  bits the timeline replays;
* ``sample`` (any other quantity): the session's :meth:`Net.run` on P(u), as the
  session computes its values (numpy's matrix product may round differently
  from a plain loop, so nothing cheaper is bit-identical), and only up to the
  last phase any condition reads.

A condition that does not read ``phase`` keeps its value between the phases
that add a quantity it reads, so it is evaluated only there.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..network.kernel import FastParams, sgd_samples
from ..network.netphases import Net
from ..network.params import Params
from ..network.phases import lab_net
from ..run import engine
from .condcompile import POSITION_NAMES
from .conditions import Condition, context_at, position_context


@lru_cache(maxsize=32)
def cheap_names(net: Net) -> frozenset[str]:
    """What is known before any phase runs: the parameters, x and y."""
    return frozenset(net.arch.param_names) | {"x", "y"}


CHEAP_NAMES = cheap_names(lab_net())  # the lab's: W1, b1, W2, b2, x, y


def tier(conditions: Sequence[Condition], net: Net | None = None) -> str:
    """The cheapest way to scan that still gives every name these conditions read."""
    names = {n for c in conditions for n in c.names}
    if names <= set(POSITION_NAMES):
        return "position"
    cheap = cheap_names(net or lab_net())
    return "params" if names <= set(POSITION_NAMES) | cheap else "sample"


def phase_of(name: str, net: Net | None = None) -> int:
    """The phase after which ``name`` is in the context (0 for what is always there)."""
    net = net or lab_net()
    if name in cheap_names(net) or name in POSITION_NAMES:
        return 0
    return net.index[net.produced_by[name]]


def nonfinite_phase(session, u: int) -> int:
    """The first phase of update u whose values are not all finite (its update if none)."""
    row, net = session.timeline.row(u), session.net
    values = net.run(session.timeline.params_at(u), session.dataset.X_train[row],
                     session.target(row), session.timeline.lr_at(u))
    for k, phase in enumerate(net.phases):
        with np.errstate(all="ignore"):
            if not all(np.isfinite(values[n]).all() for n in phase.produces):
                return k
    return net.update_phase


class Scanner:
    """Evaluates conditions at the positions of consecutive updates, carrying P(u)."""

    def __init__(self, session, conditions: Sequence[Condition], start: int) -> None:
        self.session, self.conditions = session, list(conditions)
        self.net: Net = session.net
        self.lab = session.arch.is_lab  # the lab's unrolled loop; any other: the net kernel
        self.tier = tier(self.conditions, self.net)
        self.last_phase = max((phase_of(n, self.net) for c in self.conditions
                               for n in c.quantities), default=0)
        # at phase k, the conditions whose value may change there (all of them at the
        # first phase of a range: their value there was never looked at)
        phases = self.net.phases
        self.at_phase: list[list[int]] = [[] for _ in phases]
        for i, c in enumerate(self.conditions):
            read = {0, *(phase_of(n, self.net) for n in c.quantities)}
            for k in range(len(phases)) if c.uses_phase else read:
                self.at_phase[k].append(i)
        self.every = list(range(len(self.conditions)))
        # whether each held at the last position looked at: a breakpoint fires where its
        # condition becomes true, so `c` from a stop goes on to the next time it does
        start_ctx = context_at(session)
        self.held = [c.holds(start_ctx) for c in self.conditions]
        self.p: FastParams | None = None
        self.head: engine.Head | None = None
        if self.tier != "position":
            p0 = session.timeline.params_at(start)
            if self.lab:
                self.p = FastParams.from_params(p0)
            else:
                self.head = engine.make_head(engine.PYTHON, p0.flat().tolist(),
                                             session.timeline.data, session.arch)
        self.data = session.timeline.data
        self.u = start  # the update whose parameters self.p (or self.head) holds

    def check(self, u: int, lo: int, hi: int) -> tuple[int, int] | None:
        """(phase, condition index) of the first position of u, in phases lo..hi, where a
        condition becomes true (holds there, and did not at the position before)."""
        if u != self.u:
            raise ValueError(f"scanner holds update {self.u}, asked for {u}")
        s, phases = self.session, self.net.phases
        ctx = position_context(s, u, 0)
        values = None
        if self.tier != "position":
            row = int(ctx["row"])
            if self.tier == "params":
                ctx.update(self._cheap(row))
            else:
                params = self._params()
                values = self.net.run(params, s.dataset.X_train[row], s.target(row),
                                      s.timeline.lr_at(u), upto=self.last_phase)
                ctx.update(params.as_dict())
        for k in range(hi + 1):
            if values is not None and k <= self.last_phase:
                for name in phases[k].produces:
                    ctx[name] = values[name]
            if k < lo:
                continue
            ctx["phase"] = phases[k].key
            held = self.held
            for i in self.every if k == lo else self.at_phase[k]:
                now = self.conditions[i].holds(ctx)
                if now and not held[i]:
                    return k, i
                held[i] = now
        return None

    def _cheap(self, row: int) -> dict[str, object]:
        """The parameters (as nested lists of floats), x and y of update u's row."""
        p, data = self.p, self.data
        if p is not None:
            return {"W1": p.W1, "b1": p.b1, "W2": [p.W2], "b2": [p.b2], "x": data.xs[row],
                    "y": data.ys[row]}
        head = self.head
        arrays = (a for layer in zip(head.Ws, head.bs, strict=True) for a in layer)
        return {**dict(zip(self.net.arch.param_names, arrays, strict=True)),
                "x": data.xs[row], "y": self.session.target(row)}

    def _params(self) -> Params:
        """P(u) as the session holds parameters, for the phases to run on."""
        if self.p is not None:
            return self.p.to_params()
        return Params.from_sizes(np.asarray(self.head.flat(), dtype=float),
                                 self.net.arch.sizes)

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
        elif self.head is not None:
            self.head.run(np.array([tl.row(self.u)]), tl.lr_at(self.u), 0.0)
            edited = tl.overrides.flat_at(self.u + 1)
            if edited is not None:
                self.head = engine.make_head(engine.PYTHON, list(edited), self.data,
                                             self.session.arch)
        self.u += 1
