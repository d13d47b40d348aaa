"""The network and its math: architecture, activations, phases, kernels."""
