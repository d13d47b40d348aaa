"""The help screen: the live key bindings and the phases of a training step.

Rows come from the app's active bindings (after any keymap), so the help can
never disagree with the keys; the phases come from the session's network (the
core generates them: the lab's 11, or 4L + 3 for any other), so the list is the
one the stepper walks, and the symbols include each activation the network uses.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.network.activations import ACTIVATIONS
from ...core.network.netphases import Net
from ...core.network.phases import lab_net
from ..palette import PALETTE
from ..render import value_style

SYMBOLS = (
    ("σ(z)", "the sigmoid 1 / (1 + e^−z), applied to each entry"),
    ("σ'(z)", "its slope σ(z) (1 − σ(z)): y_hat (1 − y_hat) at the output, a1 (1 − a1) inside"),
    ("delta", "∂L/∂z: how fast the loss changes with a pre-activation (delta2 at the output, "
              "delta1 at the hidden units)"),
    ("dW, db", "∂L/∂W, ∂L/∂b: the gradients; dW2 = delta2 a1^T, dW1 = delta1 x^T"),
    ("·", "a product of numbers, or a matrix times a vector (W2 a1)"),
    ("*", "entry by entry: (W2^T delta2) * σ'(z1)"),
    ("^T", "transpose (written ᵀ in books): W2^T delta2 sends delta2 back along W2's edges"),
    ("η", "the learning rate (--lr): W ← W − η dW"),
)


def bindings_table(rows: list[tuple[str, str, str]]) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("key", style="bold")
    table.add_column("name")
    table.add_column("does", style="dim")
    for keys, name, does in rows:  # Text: "[phase]" is words here, not markup
        table.add_row(Text(keys), Text(name), Text(does))
    return table


def phases_table(net: Net) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("phase", style="bold")
    table.add_column("formula")
    for i, phase in enumerate(net.phases, 1):
        table.add_row(str(i), phase.key, Text(phase.formula))
    return table


def symbols(net: Net) -> tuple[tuple[str, str], ...]:
    """The lab's symbols, then (another network) each other activation it uses and its
    slope, in the core's words, and the loss."""
    arch = net.arch
    if arch.is_lab:
        return SYMBOLS
    used = dict.fromkeys((*arch.activations, arch.output))
    acts = [ACTIVATIONS[n] for n in used if n in ACTIVATIONS and n != "sigmoid"]
    extra = tuple((f"{a.symbol}(z), {a.slope_symbol}", a.note) for a in acts)
    if arch.output == "softmax":
        extra += (("softmax(z)", "e^z_k / Σ_j e^z_j: probabilities that sum to 1; with "
                                 "cross-entropy its slope cancels, so delta = y_hat − y"),)
    loss = net.phases[net.index["L"]].formula
    return (*SYMBOLS, *extra, ("L", f"this network's loss: {loss}"))


def legend_table(net: Net) -> Table:
    """What the screen's symbols, colours and marks mean."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for symbol, meaning in symbols(net):
        table.add_row(Text(symbol), Text(meaning))
    swatch = Text.assemble(("+0.42", value_style(1, 1)), " ", ("-0.42", value_style(-1, 1)))
    table.add_row(swatch, "blue positive, orange negative; stronger (further from the "
                          "background) = larger against the rest of its array; edges too")
    table.add_row(Text("z1", style=PALETTE.produced), Text.assemble(
        "what the current phase just computed (its numbers on ",
        ("this ground", PALETTE.produced_cell),
        ")"))
    table.add_row(Text("W1", style=PALETTE.read), "what the current phase read to compute it")
    table.add_row(Text("not yet", style=PALETTE.not_yet), "not computed yet in this sample")
    table.add_row("was", "on the update: the value before it; underlined numbers are those "
                         "whose shown digits changed, and the Parameters border counts the "
                         "changes too small to show (\"3 tiny\")")
    table.add_row("▶ ◀", Text("in the diagram: the forward pass flows right, gradients flow "
                              "left; a port's number is the weight (or its gradient) of the "
                              "edge ending there: W1[i, j] on the edge from x_j into h_i"))
    table.add_row("lab:", "the lab's name for a quantity: "
                  + ", ".join(f"{ours} = {theirs}" for ours, theirs in net.lab_names.items()))
    return table


COUNTING = ("Counting: epochs from 0, as the lab prints them; samples 1..N within an epoch; "
            "'row' is the sample's 0-based index in the training data (the same in `train` "
            "and `check`). The lab's loss table (7.6, 7.5, 7.0, 4.8, ...) comes from a "
            "transposed dW2 that broadcasts W2 to (2, 2); this app computes the correct "
            "3-2-1 network, whose sums begin 7.56, 7.28, 6.05, 3.30.")


CONDITIONS = (
    ("names", "epoch sample row phase lr, and every quantity: x y W1 b1 W2 b2 z1 a1 z2 y_hat "
              "L delta2 dW2 db2 delta1 dW1 db1 (the lab's pred loss grad_output grad_hidden)"),
    ("indexing", "W1[0,1]  a1[1]  W1[0] (a row)"),
    ("operators", "+ - * / **   < <= > >= == !=   and or not   phase == 'dW2'"),
    ("functions", "abs min max norm finite"),
    ("breakpoints", "fire where the condition becomes true: L < 0.01, sample == 17, "
                    "not finite(dW1); c, e, E and autoplay stop there"),
    ("watches", "any expression: W2[0,1], L, norm(dW1), y_hat - y"),
    ("set (=)", "W1[0,1] = 0.5   b2 = [0]   lr = 0.1: from this sample on; the run after "
                "it is recomputed, stepping back shows the old values"),
)


def conditions_table(net: Net | None = None) -> Table:
    """The debugger's small language, for b, w and = (the README has it in full); the
    names are the network's (every quantity of every layer)."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for what, text in CONDITIONS:
        if what == "names" and net is not None and not net.arch.is_lab:
            keys = [*net.arch.param_names, *(k for p in net.phases if p.stage != "update"
                                             for k in p.produces)]
            text = "epoch sample row phase lr, and every quantity: " + " ".join(keys)
        table.add_row(what, Text(text))
    return table


CLOSE_WORDS = "escape, q or ? closes this help; up, down, pgup, pgdn scroll it"


class HelpScreen(ModalScreen[None]):
    """Keys and phases; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="close_help"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        session = getattr(self.app, "session", None)
        net = lab_net() if session is None else session.net
        with VerticalScroll(id="help-body"):
            # Title and way out first: the rest is three pages on a small terminal.
            yield Static(Text.assemble(("Help", "bold"), "  ", (CLOSE_WORDS, "dim")))
            yield Static(Text("\nKeys", style="bold underline"))
            yield Static(bindings_table(self.rows))
            yield Static(Text("\nOne training step, phase by phase", style="bold underline"))
            yield Static(phases_table(net))
            yield Static(Text("\nWhat the symbols and colours mean", style="bold underline"))
            yield Static(legend_table(net))
            yield Static(Text("\nThe debugger: conditions (b, w) and edits (=)",
                              style="bold underline"))
            yield Static(conditions_table(net))
            yield Static(Text("\n" + COUNTING))
            yield Static(Text("\n" + CLOSE_WORDS, style="dim"))

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
