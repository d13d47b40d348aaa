"""Top-level code that never ends: even loading the file must be under the time limit."""

while True:
    pass


def forward_backward_pass(x, target, W1, b1, W2, b2):
    return None
