"""``python -m backprop_tui``: the same as the ``backprop-tui`` command."""

import sys

from .cli import main

sys.exit(main())
