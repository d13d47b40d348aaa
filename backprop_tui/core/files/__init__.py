"""Files: save files, traces, atomic writes."""
