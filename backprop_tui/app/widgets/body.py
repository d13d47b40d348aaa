"""The body: every panel, arranged by the widths their content measures.

It renders the session into its panels and places them (see
:mod:`backprop_tui.app.layout`): the arrangement and the heights follow from what
the panels hold at this size, so a number is never cut where it could fit, and at
80x24 the equation stays on screen under the diagram. While epochs run, or in
plot view (key v), the plot takes the room the numbers and the equation had.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll

from ...core.run.session import Session
from ..diagram import Picture
from ..layout import PANEL_CHROME, PLOT_MIN_HEIGHT, arrange
from ..render import join_lines
from ..student import Answer
from .diagram import NetworkDiagram
from .equation import EquationPanel
from .params import ParamsPanel
from .values import ValuesPanel


def _width(lines) -> int:
    return max((t.cell_len for t in lines), default=0) + PANEL_CHROME


class Body(VerticalScroll, inherit_bindings=False):
    """Scrolls the panels on small terminals; left/right are left to the app's stepping."""

    BINDINGS = [
        Binding("up", "scroll_up", show=False),
        Binding("down", "scroll_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]

    _shown: tuple[Session, Answer | None | bool, str | None] | None = None
    _plot_scrolled = False  # scrolled down to a plot given the whole body

    def on_resize(self) -> None:
        """A new size is a new arrangement: show the same state again (not mid-run: the
        trainer owns the session until it finishes, and the app shows it then)."""
        if self._shown is not None and not getattr(self.app, "running", False):
            self.show(*self._shown)

    def show(self, session: Session, answer: Answer | None | bool, note: str | None) -> None:
        """Render every panel for ``session`` and arrange them for the current size.

        Each panel is rendered for the room the arrangement gives it (not for the size
        it had before), so the first frame after a resize is already right.
        """
        self._shown = (session, answer, note)
        width = (self.size.width or self.app.size.width) - 1  # the scrollbar's column
        height = self.size.height or max(self.app.size.height - 3, 10)
        network = self.query_one(NetworkDiagram)
        params = self.query_one(ParamsPanel)
        forward, backward = self.query(ValuesPanel)
        equation = self.query_one(EquationPanel)
        note_h = 2 if note else 0

        # The diagram first (it must stay readable), then the equation in what is left:
        # short of room, the equation drops its prose, and only then the diagram shrinks.
        p_natural = params.lines(session)
        params_w = _width(p_natural)
        # Never taller than the body (32 units drawn in full are 130 rows, redrawn on
        # every key): the equation's share below comes out the same, as it is 4 lines
        # whenever the picture leaves fewer; the rare picture that a unit less made short
        # enough to change that is drawn in full, as before.
        cap = max(height, 10) - 2

        def draw(room: int) -> Picture:
            picture = network.draw(session, room, cap)
            if picture.more_units and len(picture.lines) < height - 8 - note_h:
                picture = network.draw(session, room)
            return picture

        picture = draw(width - params_w - PANEL_CHROME)
        # Not beside the Parameters when it does not fit there, or fits only by leaving
        # layers out (a deep network): across the width it may show them all.
        if picture.width + PANEL_CHROME + params_w > width or picture.layers_cut:
            picture = draw(width - PANEL_CHROME)
        equation.max_lines = max(height - len(picture.lines) - 4 - note_h, 4)
        eq_lines = equation.lines(session, width - PANEL_CHROME, equation.max_lines)
        eq_h = len(eq_lines) + 2 + note_h
        budget = max(height - eq_h, height // 2, 10) - 2  # the picture keeps half at least
        if len(picture.lines) > budget:  # too tall for what is left: collapse units
            picture = network.draw(session, picture.width, budget)
        f_natural = forward.lines(session, answer)
        b_natural = backward.lines(session, answer)
        natural = {"network": picture.width + PANEL_CHROME, "params": params_w,
                   "forward": _width(f_natural), "backward": _width(b_natural)}
        plan = arrange(width, natural)

        # Rooms: the columns of content each panel gets in this arrangement.
        numbers_w = min(plan.numbers_width, width)
        params_room = (width - natural["network"] if plan.two_columns else width)
        f_room = natural["forward"] if plan.numbers_across else numbers_w
        b_room = natural["backward"] if plan.numbers_across else numbers_w
        # Lines measured at their natural width are reused where they fit (most keys).
        f_lines = (f_natural if f_room >= natural["forward"] else
                   forward.lines(session, answer, f_room - PANEL_CHROME))
        b_lines = (b_natural if b_room >= natural["backward"] else
                   backward.lines(session, answer, b_room - PANEL_CHROME))
        p_lines = (p_natural if params_room >= params_w else
                   params.lines(session, params_room - PANEL_CHROME))

        self.styles.grid_size_columns = len(plan.columns)
        self.styles.grid_columns = " ".join(plan.columns)
        for widget_id in plan.order[1:]:
            self.move_child(self.query_one(f"#{widget_id}"), after=self.children[-1])
        for widget_id in ("equation", "values"):
            self.query_one(f"#{widget_id}").styles.column_span = len(plan.columns)
        numbers = self.query_one("#numbers")
        numbers.styles.layout = "horizontal" if plan.numbers_across else "vertical"
        numbers.styles.width = numbers_w
        forward.styles.width = f_room if plan.numbers_across else "100%"
        backward.styles.width = b_room if plan.numbers_across else "100%"
        self.query_one("#values").styles.layout = ("horizontal" if plan.plot_beside
                                                   else "vertical")

        top_h = len(picture.lines) + 2
        if plan.two_columns:
            top_h = max(top_h, len(p_lines) + 2)
        numbers_h = (max(len(f_lines), len(b_lines)) + 2 if plan.numbers_across
                     else len(f_lines) + len(b_lines) + 4)
        below = 0 if plan.two_columns else len(p_lines) + 2
        spare = height - top_h - eq_h - numbers_h - below
        if spare > 0:  # a tall window: the room goes to the picture, not to an empty plot
            spread = network.draw(session, picture.width, len(picture.lines) + spare, True)
            if spread.width == picture.width:
                picture = spread
                top_h = max(top_h, len(picture.lines) + 2)
        self._plot_height(plan.plot_beside, height, top_h, eq_h, numbers_h, below)

        network.show(picture)
        params.update(join_lines(p_lines))
        equation.show(session, note, width - PANEL_CHROME, eq_lines)
        forward.update(join_lines(f_lines))
        backward.update(join_lines(b_lines))

    def _plot_height(self, beside: bool, height: int, top_h: int, eq_h: int, numbers_h: int,
                     below: int) -> None:
        """The plot gets the room that is left, or all of it in plot view and during runs."""
        plots = self.query_one("#plots")
        if self.has_class("-plot-view") or self.has_class("-running"):
            if height - top_h < PLOT_MIN_HEIGHT + 4:  # under the diagram a plot is a sliver
                plots.styles.height = height  # (80x24): the whole body, the diagram above
                self.styles.overflow_y = "auto"
                self._plot_scrolled = True
                self.call_after_refresh(self.scroll_to_widget, plots, animate=False, top=True)
                return
            plots.styles.height = max(height - top_h, PLOT_MIN_HEIGHT + 2)
            # When it fits (exactly), say so now, or Textual finds out after laying out
            # and lays out again a frame later, just to take the scrollbar away. It does
            # not when the Parameters go below (narrow): then it scrolls.
            fits = below == 0 and height - top_h >= PLOT_MIN_HEIGHT + 2
            self.styles.overflow_y = "hidden" if fits else "auto"
            return
        self.styles.overflow_y = "auto"
        if self._plot_scrolled:  # the plot had the body: the diagram comes back on top
            self._plot_scrolled = False
            self.call_after_refresh(self.scroll_home, animate=False)
        left = height - top_h - eq_h - below
        if beside:
            plots.styles.height = max(numbers_h, PLOT_MIN_HEIGHT, left)
        else:
            plots.styles.height = max(PLOT_MIN_HEIGHT + 2, left - numbers_h)
