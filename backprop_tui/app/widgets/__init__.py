"""One widget per module; each renders a slice of the session's state."""
