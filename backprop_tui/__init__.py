"""backprop-tui: a terminal step-through debugger for backpropagation in a small MLP."""

__version__ = "0.1.0"
