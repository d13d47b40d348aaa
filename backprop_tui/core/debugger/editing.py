"""What an edit does to a run, said before it is done: the record of an edit and its preview.

An edit at update u replaces P(u) (or η from u on) and discards the run computed
after u, including any later edit. That loss is the user's to accept, so
:func:`plan` works it out without touching the run: the old and new values, how
many computed updates and which edits would go, in one line the app shows before
asking. :meth:`~backprop_tui.core.run.session.Session.edit` then applies the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network.params import Params
from .edits import Assignment, EditError

__all__ = ["EDIT_BUDGET", "MAX_EDITS", "Edit", "EditPreview", "plan"]

MAX_EDITS = 1000
EDIT_BUDGET = 64 * 1024 * 1024  # bytes of kept edit records (old and new values, text)


@dataclass(frozen=True, eq=False)
class Edit:
    """One applied edit: at ``update`` (P(update) is what sample ``update`` reads), the
    statement ``text`` set ``target`` from ``old`` to ``new``; ``lr`` is η from that
    update on once it applied. Values are floats for ``lr`` and single elements
    (``W1[0,1]``), arrays for rows and whole parameters."""

    update: int
    text: str
    target: str
    old: float | np.ndarray
    new: float | np.ndarray
    lr: float

    @property
    def nbytes(self) -> int:
        return int(np.asarray(self.old).nbytes + np.asarray(self.new).nbytes) + len(self.text)


@dataclass(frozen=True, eq=False)
class EditPreview:
    """What :meth:`Session.edit` would do, computed without doing it."""

    edit: Edit
    params: Params                   # P(update) once edited
    discarded_updates: int           # updates computed after P(update) that would be lost
    discarded_edits: tuple[Edit, ...]
    message: str                     # one line that says all of the above


def plan(a: Assignment, params: Params, lr: float, update: int, n: int, head: int,
         edits: list[Edit], room: str | None) -> EditPreview:
    """The preview of assignment ``a`` at ``update``, where the run holds P(update) =
    ``params`` with η ``lr``, is computed up to ``head`` and carries ``edits``.
    ``room`` is the timeline's reason an edit there cannot be kept (None: it can).
    EditError when the edit could not be kept (memory stays bounded)."""
    kept = [e for e in edits if e.update <= update]
    dropped = tuple(e for e in edits if e.update > update)
    if a.is_lr:
        old, new, new_lr, edited = lr, float(a.value), float(a.value), params
    else:
        arrays = {k: v.copy() for k, v in params.as_dict().items()}
        old = _plain(arrays[a.name][a.index])
        arrays[a.name][a.index] = a.value
        new = _plain(arrays[a.name][a.index])
        new_lr, edited = lr, Params(**arrays)
    edit = Edit(update, a.text, a.target, old, new, new_lr)
    if len(kept) + 1 > MAX_EDITS:
        raise EditError(f"too many edits ({MAX_EDITS} at most): edit at an earlier update "
                        "to drop later edits, or start again")
    if sum(e.nbytes for e in kept) + edit.nbytes > EDIT_BUDGET:
        raise EditError(f"edits would keep more than {EDIT_BUDGET // 2**20} MiB: edit at an "
                        "earlier update to drop later edits, or set fewer values at once")
    if room is not None:
        raise EditError(room)
    epoch, position = divmod(update, n)
    where = f"epoch {epoch}, sample {position + 1}"
    if a.is_lr:
        what = f"sets η from {lr:g} to {new_lr:g} for the updates from {where} on"
    else:
        what = f"sets {a.target} from {_show(old)} to {_show(new)} at {where}"
    return EditPreview(edit, edited, head - update, dropped,
                       f"{what}; {_loss(head - update, dropped, n)}")


def _plain(value: np.ndarray) -> float | np.ndarray:
    """A copy: a float for one element, an array otherwise."""
    v = np.array(value, dtype=float)
    return float(v) if v.ndim == 0 else v


def _loss(updates: int, dropped: tuple[Edit, ...], n: int) -> str:
    """What the edit throws away, in words."""
    if not updates and not dropped:
        return "nothing computed after it is lost"
    parts = []
    if updates:
        parts.append(f"the {updates:,} update{'s' if updates != 1 else ''} computed after it")
    if dropped:
        first = dropped[0]
        more = f" and {len(dropped) - 1} more" if len(dropped) > 1 else ""
        epoch, position = divmod(first.update, n)
        parts.append(f"the later edit{'s' if len(dropped) > 1 else ''} ({first.text} at "
                     f"epoch {epoch}, sample {position + 1}{more})")
    verb = "is" if len(parts) == 1 and updates <= 1 and len(dropped) <= 1 else "are"
    return f"{' and '.join(parts)} {verb} discarded"


def _show(value: float | np.ndarray, most: int = 6) -> str:
    """A value short enough for one line: 5 significant digits, at most ``most`` numbers."""
    v = np.asarray(value, dtype=float)
    if v.ndim == 0:
        return f"{float(v):.5g}"
    numbers = [f"{x:.5g}" for x in v.ravel()[:most].tolist()]
    if v.size > most:
        return f"[{', '.join(numbers)}, …] ({v.size} values)"
    return f"[{', '.join(numbers)}]"
