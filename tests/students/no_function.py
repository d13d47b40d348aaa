"""Defines the forward pass only, under another name."""

import numpy as np


def forward_pass(x, W1, b1, W2, b2):
    return 1.0 / (1.0 + np.exp(-(W2 @ (1.0 / (1.0 + np.exp(-(W1 @ x + b1)))) + b2)))
