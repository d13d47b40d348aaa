"""The Parameters panel: W1, b1, W2, b2, coloured by sign, with the update marked."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widgets import Static

from ...core.network import PARAM_NAMES
from ...core.session import Session
from ..render import fmt, join_lines, labelled, shape_of

LABEL = 9


class ParamsPanel(Static):
    """Parameters before this sample's update; on the update phase, new values and old."""

    def show(self, session: Session) -> int:
        params = session.params.as_dict()
        values = session.values
        updated = "W1_new" in values
        lines: list[Text] = []
        room = self.content_size.width
        labels = {name: f"{name} {shape_of(params[name])}" for name in PARAM_NAMES}
        width = max(LABEL, *(len(label) + 1 for label in labels.values()))
        for name in PARAM_NAMES:
            old = params[name]
            label = labels[name]
            if updated:
                new = np.asarray(values[name + "_new"])
                lines += labelled(label, new, width, marks=new != old, room=room)
                lines += labelled("  was", old, width, room=room)
            else:
                lines += labelled(label, old, width, room=room)
        self.border_subtitle = ""
        if updated:
            self.border_subtitle = "changes underlined"
            if any(fmt(a) == fmt(b) for name in PARAM_NAMES
                   for a, b in zip(np.ravel(values[name + "_new"]), np.ravel(params[name]),
                                   strict=True) if a != b):
                self.border_subtitle += " (some < 5e-5)"
        self.update(join_lines(lines))
        return len(lines)
