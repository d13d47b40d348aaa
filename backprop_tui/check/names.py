"""The lab's names beside the app's, so the check's report and the app's panels agree.

The lab's code says pred, loss, grad_output and grad_hidden; the app's panels (and
the lab's equations) say y_hat, L, delta2 and delta1. Reports name both once.
The check judges the lab's network only (:func:`lab_only` says so of any other).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.network.arch import Architecture

APP_NAME = {"pred": "y_hat", "loss": "L", "grad_output": "delta2", "grad_hidden": "delta1"}
LAB_NAME = {"delta2": "grad_output", "delta1": "grad_hidden"}


def label(name: str) -> str:
    """'pred (y_hat)', 'loss (L)', 'delta2 (grad_output)'; other names as they are."""
    if name in APP_NAME:
        return f"{name} ({APP_NAME[name]})"
    if name in LAB_NAME:
        return f"{name} ({LAB_NAME[name]})"
    return name


def lab_only(arch: Architecture, who: str = "check judges") -> str | None:
    """None for the lab's network; for any other, the one line that refuses it: a student's
    forward_backward_pass is the lab's 3-2-1 sigmoid network, and judging it against
    another network's numbers would call every right answer wrong."""
    if arch.is_lab:
        return None
    fixes = []
    if len(arch.hidden) != 1:
        fixes.append("one hidden layer (--hidden N)")
    if set(arch.activations) != {"sigmoid"}:
        fixes.append("--activation sigmoid")
    if (arch.output, arch.loss) != ("sigmoid", "half-mse"):
        fixes.append("--output sigmoid --loss half-mse")
    if arch.n_outputs != 1 and not arch.classifies:
        fixes.append("one target column")
    return (f"{who} the lab's network (one sigmoid hidden layer, sigmoid output, "
            f"half-mse); this session is {arch.text()}: use {', '.join(fixes)}")
