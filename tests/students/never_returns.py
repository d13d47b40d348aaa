"""Loops forever on the first call: the check must stop it at the time limit."""


def forward_backward_pass(x, target, W1, b1, W2, b2):
    steps = 0
    while True:
        steps += 1
