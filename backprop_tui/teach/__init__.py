"""Teaching with backprop-tui: a teacher publishes the session, followers move with it.

No Textual here, so the command line, tests and benchmarks drive it headless and
the app builds on it:

- :mod:`.protocol`: the message (the latest whole state) and every check on it;
- :mod:`.server`: the teacher's :class:`~.server.Publisher`, whose server runs in a
  child process (:mod:`.relay`) or a thread, serving :mod:`.routes`; join codes in
  :mod:`.codes`; the state made cheaply on every key in :mod:`.state`;
- :mod:`.client`: a :class:`~.client.Follower`, and :mod:`.mirror`, which turns a
  state into the follower's own session, bit for bit the teacher's;
- :mod:`.lesson` and :mod:`.lessonfile`: lesson files (``backprop_tui/lessons/``).
"""
