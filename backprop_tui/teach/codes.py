"""Join codes: the short code a follower must present, and how wrong guesses are slowed.

Knowing the teacher's address is not enough to follow: a stranger on the same
network could find the port by scanning. Six characters from 31 (no 0/O, 1/I/L,
which a projector blurs) are about 890 million codes, and wrong codes are allowed
at one a second for the whole server (a burst of 20), so guessing takes decades
while a class that mistypes is hardly slowed.
"""

from __future__ import annotations

import hmac
import secrets
import time

__all__ = ["ALPHABET", "CodeGate", "new_code", "normal_code"]

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6
BURST = 20.0  # wrong codes allowed at once; then one a second


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normal_code(text: str) -> str:
    """A code as typed ("abc-234 ") in the form it was given out ("ABC234")."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())[:32]


class CodeGate:
    """Checks codes for one server; used from one thread (its event loop)."""

    def __init__(self, code: str) -> None:
        self.code = normal_code(code)
        self._tokens = BURST
        self._at = time.monotonic()

    def check(self, given: str) -> bool | None:
        """True for the right code; False for a wrong one; None when wrong codes have come
        too fast (the caller says to wait), whether or not this one is right."""
        now = time.monotonic()
        self._tokens = min(BURST, self._tokens + (now - self._at))
        self._at = now
        if self._tokens < 1.0:  # checking now would let guessing go on at full speed
            return None
        if hmac.compare_digest(normal_code(given).encode(), self.code.encode()):
            return True
        self._tokens -= 1.0
        return False
