"""The lab's names beside the app's, so the check's report and the app's panels agree.

The lab's code says pred, loss, grad_output and grad_hidden; the app's panels (and
the lab's equations) say y_hat, L, delta2 and delta1. Reports name both once.
"""

from __future__ import annotations

APP_NAME = {"pred": "y_hat", "loss": "L", "grad_output": "delta2", "grad_hidden": "delta1"}
LAB_NAME = {"delta2": "grad_output", "delta1": "grad_hidden"}


def label(name: str) -> str:
    """'pred (y_hat)', 'loss (L)', 'delta2 (grad_output)'; other names as they are."""
    if name in APP_NAME:
        return f"{name} ({APP_NAME[name]})"
    if name in LAB_NAME:
        return f"{name} ({LAB_NAME[name]})"
    return name
