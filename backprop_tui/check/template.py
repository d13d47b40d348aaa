"""``check --template``: a starting file with the lab's signature and one TODO per quantity.

Every unfinished quantity calls ``todo(...)``, which raises NotImplementedError
with what is still to do; so the untouched template already checks (exit 1,
naming the first TODO), and each filled line moves the report to the next one.
An existing file is never overwritten: it may be the student's work.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_PATH = "backprop_student.py"

TEMPLATE = '''\
"""My forward_backward_pass for the 3-2-1 sigmoid network.

Check it against backprop-tui's engine, sample by sample:

    backprop-tui check {name}

Each todo(...) stops the check with its message until you replace it by the
computation. Shapes in the lab's network (3 inputs, 2 hidden units, 1 output):
x (3,), target a number, W1 (2, 3), b1 (2,), W2 (1, 2), b2 (1,).

Compute new arrays from the arguments and leave the arguments as they are (no
W1 -= ...): the training loop updates the weights. Keep nothing between calls.
backprop-tui calls pred y_hat, loss L, grad_output delta2, grad_hidden delta1.
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def todo(what):
    raise NotImplementedError("TODO: " + what)


def forward_backward_pass(x, target, W1, b1, W2, b2):
    """Prediction, loss and the four gradients for one sample (x, target)."""
    # Forward pass.
    z1 = todo("z1, the hidden layer's weighted input, shape (2,)")
    a1 = todo("a1, the hidden activations, shape (2,)")
    z2 = todo("z2, the output's weighted input, shape (1,)")
    pred = todo("pred (y_hat), the network's output, shape (1,)")
    loss = todo("loss, one half of the squared error, one number")

    # Backward pass: the error signal at the output, then at the hidden layer.
    delta2 = todo("delta2 = dloss/dz2 (the lab's grad_output), shape (1,)")
    dW2 = todo("dW2, the gradient of W2: same shape as W2, (1, 2)")
    db2 = todo("db2, the gradient of b2: same shape as b2, (1,)")
    delta1 = todo("delta1 = dloss/dz1 (the lab's grad_hidden), shape (2,)")
    dW1 = todo("dW1, the gradient of W1: same shape as W1, (2, 3)")
    db1 = todo("db1, the gradient of b1: same shape as b1, (2,)")

    return pred, loss, dW1, db1, dW2, db2
'''


class TemplateError(Exception):
    """The template could not be written; one line."""


def write_template(path: str) -> Path:
    """Create ``path`` with the template; refuse if anything already exists there."""
    p = Path(path)
    text = TEMPLATE.format(name=p.name)
    try:
        with p.open("x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise TemplateError(f"{path} already exists; not overwriting it "
                            "(give another path: --template PATH)") from None
    except OSError as err:
        raise TemplateError(f"cannot write {path}: {err.strerror or err}") from None
    return p
