"""The names a condition may use in a network: its quantities, the lab's aliases, its phases.

They depend on the network (a 3-4-3-1 network has W3, delta3 and a phase dW3 the
lab's has not), so each is a function of a :class:`~.netphases.Net`, made once per
network and cached; the lab's are the lab net's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..network.netphases import Net

POSITION_NAMES = ("epoch", "sample", "row", "phase", "lr")
FUNCTIONS = ("abs", "min", "max", "norm", "finite")
_SLOPES = re.compile(r"^(dsig|dact|da)\d+$")  # intermediate: shown, not listed as a name


@lru_cache(maxsize=32)
def main_names(net: Net) -> tuple[str, ...]:
    """The names an unknown-name error lists: x, y, the parameters, then what each phase
    produces (not its slopes or the updated parameters), in the order they are computed."""
    produced = (n for p in net.phases[1:-1] for n in p.produces if not _SLOPES.match(n))
    return ("x", "y", *net.arch.param_names, *produced)


@lru_cache(maxsize=32)
def aliases(net: Net) -> dict[str, str]:
    """The lab's names for our quantities: pred -> y_hat, loss -> L, grad_output -> deltaL."""
    return {lab: ours for ours, lab in net.lab_names.items()}


@lru_cache(maxsize=32)
def phase_aliases(net: Net) -> dict[str, str]:
    """Every name a phase may be compared with (``phase == 'pred'``) -> its key."""
    index = net.index
    return {**{k: k for k in index}, **{a: k for a, k in aliases(net).items() if k in index}}
