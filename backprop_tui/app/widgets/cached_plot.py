"""The base of the plot tabs: a plotext widget that draws again only when it must."""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual_plotext import PlotextPlot


class CachedPlot(PlotextPlot):
    """A plotext widget that rebuilds only when its content, size or theme changed, and
    turns into strips only the lines that changed (Textual's conversion of a whole
    plot costs ~10 ms; a moving marker changes one line and the header)."""

    # plotext paints its canvas in the theme's surface colour; lines drawn outside it match
    DEFAULT_CSS = "CachedPlot { background: $surface; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.builds = 0  # how many pictures were drawn (the tests count them)
        self._version = 0  # bumped by show() when the content changed
        self._cache: tuple[object, list[Text]] | None = None
        self._strips: dict[int, tuple[Text, Strip]] = {}  # by id of a row's Text
        self._strip_style = None

    def _changed(self) -> None:
        self._version += 1
        self.refresh()

    def lines(self) -> list[Text]:
        """The picture, one Text per row, drawn again only when its key changed; rows
        that are the same Text objects as before keep their strips."""
        key = (self._version, self.size, self.app.theme)
        if self._cache is None or self._cache[0] != key:
            self.builds += 1
            rows = [r if len(r) <= key[1].width else r[: key[1].width]
                    for r in self.picture(*key[1])]
            self._cache = (key, rows)
            self._strips = {id(r): self._strips[id(r)] for r in rows if id(r) in self._strips}
        return self._cache[1]

    def render(self) -> Text:
        return Text("\n").join(self.lines())

    def render_line(self, y: int) -> Strip:
        """Textual's line API: one row as a strip, converted once per distinct row."""
        lines, style = self.lines(), self.visual_style
        if y >= len(lines):
            return Strip.blank(self.size.width, style.rich_style)
        if (style, self.size) != self._strip_style:  # strips are cut to a size and style
            self._strips, self._strip_style = {}, (style, self.size)
        line = lines[y]
        if id(line) not in self._strips:
            visual = visualize(self, line, markup=False)
            strip = Visual.to_strips(self, visual, self.size.width, 1, style)[0]
            self._strips[id(line)] = (line, strip)
        return self._strips[id(line)][1]

    def picture(self, width: int, height: int) -> list[Text]:
        """The widget's rows at this size (subclasses draw their content)."""
        raise NotImplementedError

    def canvas(self, width: int, height: int) -> Text:
        """Build what was plotted on ``self.plt`` at this size, in the app's theme."""
        plt = self.plt
        plt.plotsize(width, height)
        plt._set_size(width, height)  # textual-plotext does this too (its issue #5)
        plt.theme(self._get_plotext_theme_name(self.app.theme))
        return Text.from_ansi(plt.build())
