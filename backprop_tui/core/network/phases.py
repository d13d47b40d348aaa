"""The phases of one training step of the lab's network, as data.

One SGD step on one sample is the list :data:`PHASES`, walked in order:

    load sample -> z1 -> a1 -> z2 -> y_hat -> L -> delta2 -> dW2, db2
                -> delta1 -> dW1, db1 -> update

The list is generated from the architecture (:mod:`.netphases`, which makes the
4L + 3 phases of any network the same way); this module names the lab's, which
the lab-shaped code paths read. Each phase carries its name, its formula as
text, the quantities it produces and the function that computes them from what
came before. The stepping session, the app's panels and equation view and the
tests all read one list, so the lab's equations live in one place (the fast
trainers in :mod:`backprop_tui.core.network.kernel` and :mod:`.netkernel` are tested
re-statements for speed).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .arch import Architecture
from .netphases import Net, Phase, Values, net_for
from .params import Params

__all__ = ["LAB_NAMES", "PHASES", "PHASE_INDEX", "PRODUCED_BY", "Phase", "UPDATE_PHASE",
           "Values", "forward_backward", "lab_net", "phase_hint", "quantity_shapes",
           "run_phases"]


def lab_net(n_inputs: int = 3, n_hidden: int = 2) -> Net:
    """The lab's network (n inputs, H sigmoid hidden units, one sigmoid output, ½ (y_hat − y)²)."""
    return net_for(Architecture(n_inputs, (n_hidden,)))


_LAB = lab_net()
PHASES: tuple[Phase, ...] = _LAB.phases

# Where the lab's code names a quantity differently, its name there (shown beside ours).
LAB_NAMES: dict[str, str] = _LAB.lab_names

PRODUCED_BY: dict[str, str] = _LAB.produced_by
PHASE_INDEX: dict[str, int] = _LAB.index
UPDATE_PHASE: int = PHASE_INDEX["update"]


def run_phases(
    params: Params, x: np.ndarray, y: float, lr: float, upto: int = len(PHASES) - 1
) -> dict[str, object]:
    """Walk PHASES[0..upto] for one sample of the lab's network (see :meth:`Net.run`)."""
    return _LAB.run(params, x, y, lr, upto)


@lru_cache(maxsize=16)
def quantity_shapes(n_inputs: int, n_hidden: int) -> dict[str, tuple[int, ...]]:
    """The shape of every quantity of a step, known before any value is computed."""
    return lab_net(n_inputs, n_hidden).shapes()


def forward_backward(params: Params, x: np.ndarray, y: float) -> dict[str, object]:
    """Everything up to the gradients (no update): prediction, loss, dW1, db1, dW2, db2."""
    return run_phases(params, x, y, lr=0.0, upto=UPDATE_PHASE - 1)


def phase_hint(word: str) -> str:
    """" (did you mean dW2? phases: ...)" for a phase name typed in another case or a letter
    off, else the list of phases: what a dialog adds to "unknown phase"."""
    return _LAB.hint(word)
