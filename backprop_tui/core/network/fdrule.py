"""The finite-difference rule both gradient checks use: its offsets and rounding constants.

The lab's check (:mod:`.gradcheck`) and any other network's (:mod:`.gradnet`) judge
backprop by the same five-point formula and the same error bound; their shared
numbers live here, so neither check imports the other for them.
"""

from __future__ import annotations

import numpy as np

EPS = float(np.finfo(float).eps)
U = EPS / 2       # the unit roundoff: one correctly rounded operation is off by at most u
SAFETY = 2.0      # the bound is an estimate; a factor keeps it above the true error
# Offsets, in steps, at which L is evaluated: the five-point formula at h and at 2h.
OFFSETS = np.array([-4.0, -2.0, -1.0, 1.0, 2.0, 4.0])
