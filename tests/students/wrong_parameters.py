"""Takes the parameters as one tuple: five parameters where the lab passes six."""


def forward_backward_pass(x, target, params, lr, verbose):
    return None
