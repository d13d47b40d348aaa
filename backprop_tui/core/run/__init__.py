"""The run: options, session, timeline, kernels' heads, records, engine."""
