"""The debugger's conditions in the app: breakpoints (b, B, c) and watches (w, W).

Both are the core's (:mod:`backprop_tui.core.debugger.breakpoints`,
:mod:`backprop_tui.core.debugger.watches`), written in one small language
(:mod:`backprop_tui.core.debugger.conditions`). This mixin asks for them, lists them,
runs to them in the worker thread, and says where a run stopped and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..core.debugger.breakpoints import BREAKPOINT, CANCELLED, DIVERGED, Stop, run_until
from ..core.debugger.conditions import NOT_YET, ConditionError, context_at, parse_net
from ..core.run.session import RunResult
from .palette import PALETTE
from .widgets.prompt import PromptDialog, Verdict

if TYPE_CHECKING:
    from .app import BackpropApp

    _Base = BackpropApp
else:
    _Base = object


class WatchingActions(_Base):
    """Breakpoints and watches: the keys, the dialogs and the runs that stop."""

    # -- breakpoints -------------------------------------------------------------
    def _condition(self, text: str):
        """``text`` checked against this network's quantities, names and phases."""
        return parse_net(text, self.session.net)

    def _names_hint(self) -> str:
        """The names a condition may use, this network's (the lab's: x y W1 b1 W2 b2 z1 a1
        z2 y_hat L delta2 dW2 delta1 dW1): the inputs, the parameters, the forward pass,
        then each layer's delta and dW from the output back."""
        net = self.session.net
        keys = ["x", "y", *net.arch.param_names]
        keys += [p.key for p in net.phases if p.stage == "forward" and p.key != "load"]
        keys += [k for p in net.phases if p.stage == "backward" for k in p.produces
                 if k.startswith(("delta", "dW"))]
        return "names: epoch sample phase lr " + " ".join(keys) + " …"

    def _now(self, condition) -> str:
        """The condition's value at the cursor, for the dialog ("now: false")."""
        value = condition.evaluate(context_at(self.session))
        if value is NOT_YET:
            return "not computed yet at this phase"
        from .widgets.watch_line import format_value

        return f"now {format_value(value)}"

    def _checker(self, store, words: str) -> Callable[[str], Verdict]:
        """The dialog's check for a new breakpoint or watch: parsed, accepted by ``store``
        (no duplicate, room left), and its value now."""

        def check(text: str) -> Verdict:
            try:
                condition = self._condition(text)
                store.check(condition)
            except (ConditionError, ValueError) as err:
                return Verdict(False, str(err))
            return Verdict(True, f"{words.format(condition.text)} ({self._now(condition)})")

        return check

    def action_add_breakpoint(self) -> None:
        """Ask for a condition; c, e and E stop where it first holds."""

        check = self._checker(self.breakpoints, "stops where {} holds")

        def chosen(text: str | None) -> None:
            if not text:
                return
            bp = self.breakpoints.add(self._condition(text))
            self.main.say(f"breakpoint {len(self.breakpoints)}: {bp.text}; c continues to it, "
                          "B lists them", PALETTE.success)
            self._refresh_lists()

        self.push_screen(PromptDialog(
            "Break when", check, placeholder="e.g. L < 0.01   sample == 17   not finite(dW1)",
            hint=self._names_hint()), chosen)

    def action_breakpoints(self) -> None:
        from .widgets.breakpoints import BreakpointsScreen

        self.push_screen(BreakpointsScreen(self.breakpoints, self.action_add_breakpoint))

    def _refresh_lists(self) -> None:
        refill = getattr(self.screen, "refill", None)
        if refill is not None:
            refill()

    def _continue_target(self) -> int:
        """How far c looks: --epochs epochs past the cursor (a limit, as every run has)."""
        s = self.session
        return (s.cursor.epoch + max(s.config.epochs, 1)) * s.n

    def action_continue(self) -> None:
        if not self.breakpoints.enabled():
            self.main.say("no breakpoint to continue to: b adds one, B lists them",
                          PALETTE.warning)
            return
        epochs = max(self.session.config.epochs, 1)
        self.run_to_breakpoint(self._continue_target(),
                               f"continuing to a breakpoint (at most {epochs} epochs)… "
                               "escape cancels", epochs_run=False)

    def run_to_breakpoint(self, target: int, label: str, epochs_run: bool) -> None:
        """Run in the worker until a breakpoint holds or the cursor reaches ``target``;
        ``epochs_run``: a run of epochs (e, E) that found none ends as a run does."""
        s, bps = self.session, self.breakpoints

        def job(progress, cancel) -> Stop:
            return run_until(s, bps, target, progress, cancel)

        def after(result: object) -> None:
            if not isinstance(result, Stop):
                return
            self.say_stop(result, epochs_run)

        self.start_job(job, label, after)

    def breakpoints_holding(self) -> list[bool]:
        """Which enabled breakpoints hold at the cursor (autoplay compares before/after)."""
        if not self.breakpoints.enabled():
            return []
        ctx = context_at(self.session)
        return [b.enabled and b.condition.holds(ctx) for b in self.breakpoints]

    def pause_at_breakpoint(self, before: list[bool]) -> None:
        """Autoplay pauses where a breakpoint fires (holds now, did not a step ago), as
        a run stops there."""
        if not before or not self.autoplaying:
            return
        after = self.breakpoints_holding()
        for i, (was, now) in enumerate(zip(before, after, strict=False), 1):
            if now and not was:
                bp = self.breakpoints[i - 1]
                bp.hits += 1
                self.stop_autoplay()
                self.main.say(f"autoplay paused by breakpoint {i}: {bp.text}; space plays on",
                              f"bold {PALETTE.warning}")
                return

    def say_stop(self, stop: Stop, epochs_run: bool) -> None:
        """Where a run stopped, and why, on the status line."""
        if stop.reason == BREAKPOINT and stop.breakpoint is not None:
            number = next(i for i, b in enumerate(self.breakpoints, 1) if b is stop.breakpoint)
            why = stop.describe().replace("stopped: ", f"stopped by breakpoint {number}: ", 1)
            self.main.say(f"{why}, at {stop.where()}", f"bold {PALETTE.warning}")
        elif stop.reason == DIVERGED:
            self.main.say(stop.describe(), PALETTE.error)
        elif stop.reason == CANCELLED:
            self.main.say(f"{stop.describe()}; you can step from here", PALETTE.warning)
        elif epochs_run:
            epochs = stop.update // stop.n - self._run_from_epoch
            self._epochs_ran(RunResult(epochs, False, None))
        else:
            self.main.say(f"{stop.describe()} (c looks --epochs epochs ahead)", "bold")

    # -- watches -------------------------------------------------------------------
    def action_add_watch(self) -> None:
        """Ask for an expression; the watch line shows its value at every step, and the
        Watches plot tab its history over the updates."""

        check = self._checker(self.watches, "watches {}")

        def chosen(text: str | None) -> None:
            if not text:
                return
            self.watches.add(self._condition(text))
            self.main.add_watch_tab()
            self.show_state()
            self.main.say(f"watching {text.strip()}: the line above the status shows it, "
                          "t cycles to the Watches plot, W removes", PALETTE.success)
            self._refresh_lists()

        self.push_screen(PromptDialog(
            "Watch", check, placeholder="e.g. W2[0,1]   L   norm(dW1)   y_hat - y",
            hint="any expression of the step's names; W lists the watches"), chosen)

    def action_watches(self) -> None:
        from .widgets.breakpoints import WatchesScreen

        self.push_screen(WatchesScreen(self.watches, self.action_add_watch),
                         lambda _: self.show_state())

    def restore_lists(self, breakpoints: Iterable[tuple[str, bool]],
                      watches: Iterable[str]) -> list[str]:
        """Breakpoints and watches of a resumed session; what no longer parses is skipped
        and returned (one line each) for the status line."""
        skipped: list[str] = []
        for text, enabled in breakpoints:
            try:
                bp = self.breakpoints.add(self._condition(text))
                bp.enabled = enabled
            except (ConditionError, ValueError) as err:
                skipped.append(f"breakpoint {text}: {err}")
        for text in watches:
            try:
                self.watches.add(self._condition(text))
            except (ConditionError, ValueError) as err:
                skipped.append(f"watch {text}: {err}")
        return skipped
