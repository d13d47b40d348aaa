"""The stepping session: a cursor that moves through a training run both ways.

The cursor is (update u, phase k): the sample of update u is loaded and phases
0..k of :data:`~backprop_tui.core.network.phases.PHASES` have been computed on it. Moving
forward past the update phase starts update u + 1. Any position can be reached
again later, bit for bit, because the parameters come from the
:class:`~backprop_tui.core.run.timeline.Timeline` and the phase values are recomputed
from them by the same code.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..data.datasets import Dataset
from ..debugger.editing import Edit, EditPreview, plan
from ..debugger.edits import EditError, parse_edit
from ..limits import MAX_EPOCHS
from ..network.arch import Architecture
from ..network.evaluate import mean_loss, predict
from ..network.netphases import Phase, net_for
from ..network.params import Params
from . import engine
from .config import TrainConfig
from .cursor import Cursor, RunResult
from .timeline import CancelFn, Divergence, EpochRecord, Timeline

__all__ = ["Cursor", "RunResult", "Session", "TrainConfig"]  # TrainConfig: core.config


class Session:
    """A training run on one dataset that can be stepped phase by phase, both ways."""

    def __init__(self, dataset: Dataset, params0: Params, config: TrainConfig,
                 arch: Architecture | None = None) -> None:
        config.validate()
        engine.setting(strict=True)  # a typo in BACKPROP_TUI_KERNEL is said, not ignored
        self.dataset = dataset
        self.config = config
        self.n = dataset.n_train
        self.params0 = params0
        # The network and its phases (the lab's family when not given: params0's sizes).
        self.arch = arch or Architecture(params0.n_inputs, (params0.n_hidden,))
        self.net = net_for(self.arch)
        self._orders: dict[int, np.ndarray] = {}
        order = self._shuffled_order if config.shuffle else None
        self.timeline = Timeline(params0, dataset.X_train, dataset.y_train, config.lr, order,
                                 dataset.X_test, dataset.y_test, arch=self.arch)
        self.initial_train_loss = mean_loss(params0, dataset.X_train, dataset.y_train,
                                            self.arch)
        self._cursor = Cursor(0, 0, self.n)
        self._values: dict[str, object] | None = None
        self._edits: list[Edit] = []

    def _shuffled_order(self, epoch: int) -> np.ndarray:
        """Seeded per-epoch sample order, a function of (seed, epoch) only."""
        order = self._orders.get(epoch)
        if order is None:
            if len(self._orders) > 64:
                self._orders.clear()
            order = np.random.default_rng([self.config.seed, 2, epoch]).permutation(self.n)
            self._orders[epoch] = order
        return order

    # -- state -----------------------------------------------------------------
    @property
    def cursor(self) -> Cursor:
        return self._cursor

    @property
    def phase(self) -> Phase:
        return self.net.phases[self._cursor.phase]

    @property
    def row(self) -> int:
        """Index of the current sample among the training rows."""
        return self.timeline.row(self._cursor.update)

    @property
    def params(self) -> Params:
        """Parameters before the current sample's update."""
        return self.timeline.params_at(self._cursor.update)

    @property
    def lr(self) -> float:
        """η of the current sample's update: the configured one unless an edit changed it."""
        return self.timeline.lr_at(self._cursor.update)

    @property
    def values(self) -> dict[str, object]:
        """Every quantity computed so far for the current sample (phases 0..k)."""
        if self._values is None:
            u, k = self._cursor.update, self._cursor.phase
            row = self.timeline.row(u)
            self._values = self.net.run(self.params, self.dataset.X_train[row],
                                        self.target(row), self.lr, upto=k)
        return self._values

    def target(self, row: int) -> float | np.ndarray:
        """Training row ``row``'s target as a step reads it: a number for one output (the
        lab's y), a vector for several (one-hot for classes)."""
        y = self.dataset.y_train[row]
        return float(y) if np.ndim(y) == 0 else np.array(y, dtype=float)

    @property
    def divergence(self) -> Divergence | None:
        return self.timeline.divergence

    @property
    def at_start(self) -> bool:
        return self._cursor.update == 0 and self._cursor.phase == 0

    @property
    def epoch_records(self) -> list[EpochRecord]:
        """Records of the epochs completed before the cursor, oldest first.

        Every epoch while the run is under ~8k epochs; past that, the newest 4096+
        stay exact and older ones are thinned to one in 2, 4, 8, ... (at most 4096
        of them), so a plot of a million epochs costs what one of 12k does. To see
        every epoch of a long run, set ``timeline.on_epoch`` before running.
        """
        return self.timeline.records_before(self._cursor.epoch)

    def epoch_losses(self) -> list[float]:
        """The losses taken so far in this epoch, the current sample's once its L phase is
        reached (as the lab takes each loss before that sample's update)."""
        c = self._cursor
        stop = c.update + (1 if c.phase >= self.net.index["L"] else 0)
        if stop > self.timeline.head and self.timeline.limit is None:
            self.timeline.advance(stop)
        return self.timeline.losses(c.epoch * self.n, min(stop, self.timeline.head))

    def fit(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Targets, predictions and mean loss over the training rows at the current parameters."""
        X, y = self.dataset.X_train, self.dataset.y_train
        with np.errstate(all="ignore"):
            return y, predict(self.params, X, self.arch), mean_loss(self.params, X, y,
                                                                   self.arch)

    # -- moving ----------------------------------------------------------------
    def goto(self, update: int, phase: int = 0) -> bool:
        """Move to (update, phase) if the run can reach it; False when it cannot."""
        if update < 0 or not 0 <= phase < len(self.net.phases):
            return False
        limit = self.timeline.limit
        if limit is None or update <= limit:
            self.timeline.advance(update)
        if update > self.timeline.head:
            return False
        if (update, phase) != (self._cursor.update, self._cursor.phase):
            self._cursor = Cursor(update, phase, self.n)
            self._values = None
        return True

    def step_forward(self) -> bool:
        """One phase on; after the update phase, the next sample's first phase."""
        u, k = self._cursor.update, self._cursor.phase
        return self.goto(u, k + 1) if k < self.net.update_phase else self.goto(u + 1, 0)

    def step_back(self) -> bool:
        """One phase back, across samples and epochs, to the very start."""
        u, k = self._cursor.update, self._cursor.phase
        if k > 0:
            return self.goto(u, k - 1)
        return u > 0 and self.goto(u - 1, self.net.update_phase)

    def apply_update(self) -> bool:
        """Compute the remaining phases of this sample, including its update."""
        return self.goto(self._cursor.update, self.net.update_phase)

    def next_sample(self) -> bool:
        """To the start of the next sample, applying the current one's update."""
        return self.goto(self._cursor.update + 1, 0)

    def prev_sample(self) -> bool:
        """To the start of the previous sample (or of the first one)."""
        return self.goto(max(self._cursor.update - 1, 0), 0)

    def reset(self) -> None:
        """Back to the initial parameters; the recorded run stays valid and is reused."""
        self.goto(0, 0)

    def run_epochs(
        self,
        n_epochs: int,
        progress: Callable[[int, int], None] | None = None,
        cancel: CancelFn | None = None,
    ) -> RunResult:
        """Run to the end of epoch (current + n_epochs - 1), i.e. the start of a later epoch
        (see :meth:`run_to`)."""
        if n_epochs <= 0:
            return RunResult(0, False, None)
        if n_epochs > MAX_EPOCHS:
            raise ValueError(f"at most {MAX_EPOCHS:,} epochs in one run")
        return self.run_to((self._cursor.epoch + n_epochs) * self.n, 0, progress, cancel)

    def run_seconds(self, target: int) -> float:
        """About how long :meth:`run_to` ``target`` would take (0 for what is computed
        already): the app does short work at once, long work in a thread."""
        t = self.timeline
        if t.head >= target or t.divergence is not None:
            return 0.0
        return engine.estimate(target - t.head, self.arch)

    def run_to(
        self,
        target: int,
        phase: int = 0,
        progress: Callable[[int, int], None] | None = None,
        cancel: CancelFn | None = None,
    ) -> RunResult:
        """Compute the run up to update ``target`` and move the cursor to (target, phase).

        ``progress(done, total)`` is called as updates complete; ``cancel()`` is
        polled between chunks. A cancel or a divergence leaves the cursor at the
        start of the last sample reached, a state one can step from.
        """
        start = self._cursor.update
        total = max(target - start, 0)
        cancelled = False

        def check() -> bool:
            nonlocal cancelled
            cancelled = cancelled or bool(cancel and cancel())
            return cancelled

        def report(head: int) -> None:
            if progress is not None:
                progress(min(head, target) - start, total)

        if self.timeline.head >= target:
            report(target)
        else:
            self.timeline.advance(target, report, check)
        end = min(target, self.timeline.head)
        if end == target and not cancelled:
            self.goto(target, phase)
        elif end > start:  # nothing ran (a cancel at once, a divergence): the cursor stays
            self.goto(end, 0)
        before = start // self.n
        return RunResult(end // self.n - before, cancelled, self.timeline.divergence
                         if end < target and not cancelled else None)

    # -- editing (see core/debugger/editing.py) -----------------------------------------
    @property
    def edits(self) -> list[Edit]:
        """The edits that shape the run, in the order applied (updates never decrease)."""
        return list(self._edits)

    def edit_updates(self) -> list[int]:
        """The updates where edits apply, increasing, each once: a plot marks them (update/n)."""
        return self.timeline.overrides.updates

    def edit_preview(self, text: str) -> EditPreview:
        """What :meth:`edit` would do with ``text`` at the cursor, changing nothing (EditError)."""
        a = parse_edit(text, self.arch.param_shapes)
        u = self._cursor.update
        room = self.timeline.overrides.room_for(u, self.params0.flat().size)
        return plan(a, self.params, self.lr, u, self.n, self.timeline.head, self._edits, room)

    def edit(self, text: str) -> Edit:
        """Apply ``text`` at the cursor's update u and discard the run after it.

        ``W1[0,1] = 0.5`` makes P(u), the parameters sample u reads, hold 0.5 there;
        ``lr = 0.1`` makes updates u, u+1, ... use η = 0.1. States before u stay bit for
        bit; the cursor stays. EditError (one line) when the text cannot be applied."""
        preview = self.edit_preview(text)
        u = self._cursor.update
        try:
            self.timeline.edit(u, preview.params.flat().tolist(), preview.edit.lr)
        except ValueError as err:
            raise EditError(str(err)) from None
        self._edits = [e for e in self._edits if e.update <= u] + [preview.edit]
        self._values = None
        return preview.edit

    def apply_edits(self, edits: list[tuple[int, str]]) -> None:
        """Redo (update, text) edits in order, as :attr:`edits` lists them (a saved session),
        making the same run bit for bit; the cursor ends at the start of the last one's
        update. EditError when an update cannot be reached or a text is refused."""
        for update, text in edits:
            if not self.goto(update):
                limit = self.timeline.limit
                raise EditError(f"update {update} cannot be reached" + (
                    "" if limit is None else f": the run diverged at update {limit}"))
            self.edit(text)

    def drop_edits(self) -> int:
        """Undo every edit: back to the start of the run as the options made it (the run
        after update 0 is recomputed when asked). Returns how many edits were dropped."""
        dropped = len(self._edits)
        if dropped:
            self.timeline.edit(0, self.params0.flat().tolist(), self.config.lr)
            self.timeline.overrides.clear()  # P(0) and η are the original ones again
            self._edits = []
        self._cursor, self._values = Cursor(0, 0, self.n), None
        return dropped
