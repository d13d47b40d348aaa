"""The Network panel: the diagram of :mod:`backprop_tui.app.diagram` for the session's state."""

from __future__ import annotations

from textual.widgets import Static

from ...core.run.session import Session
from ..diagram import Picture, draw_net
from ..render import join_lines

FULL_ROWS = 120
"""The most rows a picture of any height takes (one that fits in them is the same)."""


class NetworkDiagram(Static):
    """Inputs, every layer's units and the outputs with every edge; sized by what it draws."""

    picture: Picture | None = None

    def draw(self, session: Session, width: int = 0, height: int = 0,
             spread: bool = False) -> Picture:
        """The picture for ``session`` in ``width`` x ``height`` cells of content (0: any);
        ``spread`` lets spare height space the units apart."""
        ds = session.dataset
        # "Any height" for a large network would be thousands of rows (1000 hidden boxes,
        # or 64 boxes of 65 ports), drawn for seconds and then cut to the room anyway.
        height = height or FULL_ROWS
        return draw_net(session.values, session.net, session.cursor.phase, ds.input_names,
                        ds.target_name, ds.classes, width, height, spread)

    def show(self, picture: Picture) -> None:
        self.picture = picture
        # The title says what the ports hold, also when the header row has no room.
        self.border_title = f"Network · ports: {picture.ports}" if picture.ports else "Network"
        self.border_subtitle = (f"{picture.collapsed} not drawn (f: all values)"
                                if picture.collapsed else "blue +  orange −  stronger = larger")
        self.update(join_lines(picture.lines))
