"""Every panel follows the session's network, not the lab's: stepping through every phase
of a 3-4-4-1 tanh network, a 3-5-1 relu network with cross-entropy, and a softmax
classifier, the equation says each phase's formula with its numbers (each activation's
slope, why the output error is y_hat − y), the panels list every layer, and at 80x24
the equation stays on screen."""

from __future__ import annotations

import asyncio
import re

import numpy as np
from rich.text import Text

from backprop_tui.app.app import BackpropApp
from backprop_tui.app.render import scalar_text
from backprop_tui.app.widgets.class_plot import ClassPlot
from backprop_tui.core.data.datasets import Dataset
from backprop_tui.core.network.arch import Architecture
from backprop_tui.core.network.evaluate import accuracy, confusion
from backprop_tui.core.network.params import init_params
from backprop_tui.core.run.session import Session, TrainConfig

from .conftest import make_app, wait_for_run

CLASSES = ("setosa", "versicolor", "virginica")


def softmax_session(classes: tuple[str, ...] = CLASSES) -> Session:
    """4 inputs, 5 sigmoid hidden units, 3 softmax outputs with cross-entropy, on 30 rows
    of three separable clusters (one-hot targets)."""
    rng = np.random.RandomState(1)
    labels = np.arange(30) % 3
    X = rng.randn(30, 4) * 0.3 + labels[:, None]
    Y = np.eye(3)[labels]
    dataset = Dataset("clusters", ("a", "b", "c", "d"), "class", X[:24], Y[:24], X[24:],
                      Y[24:], classes=classes)
    arch = Architecture(4, (5,), ("sigmoid",), "softmax", "ce", 3)
    params0 = init_params(np.random.RandomState(0), 4, (5,), 0.5, 3)
    return Session(dataset, params0, TrainConfig(hidden=5, output="softmax", loss="ce"), arch)


def softmax_app(classes: tuple[str, ...] = CLASSES) -> BackpropApp:
    return BackpropApp(softmax_session(classes))


def text_of(app: BackpropApp, widget_id: str) -> str:
    content = app.query_one(f"#{widget_id}").content
    assert isinstance(content, Text), widget_id
    return content.plain


async def walk(app: BackpropApp, pilot, size: tuple[int, int]) -> dict[str, str]:
    """The equation panel's text at every phase of the first sample, by phase key; the
    equation is asserted on screen (not scrolled away) at each."""
    texts = {}
    body, equation = app.query_one("#body"), app.query_one("#equation")
    for k, phase in enumerate(app.session.net.phases):
        await pilot.press("n") if k else None
        await pilot.pause()
        assert app.session.cursor.phase == k
        text = text_of(app, "equation")
        assert text.startswith(f"{k + 1}/{len(app.session.net.phases)} {phase.title}:  "
                               f"{phase.formula}"), text
        assert body.scroll_y == 0 and equation.virtual_region.bottom <= body.size.height, \
            f"{size}: the equation of {phase.key} is off screen"
        texts[phase.key] = text
    return texts


def test_a_3_4_4_1_tanh_network_step_by_step() -> None:
    async def go():
        app = make_app(hidden=(4, 4), activation="tanh")
        async with app.run_test(size=(120, 40)) as pilot:
            texts = await walk(app, pilot, (120, 40))
            assert len(texts) == 15 and "phase 15/15 update" in text_of(app, "position")
            v = app.session.values
            assert "a1 = tanh(" in texts["a1"] and "tanh(z) = (e^z − e^−z)" in texts["a1"]
            assert "z3 = W3 a2 + b3" in texts["z3"]
            for layer in (1, 2):
                text = texts[f"delta{layer}"]
                assert f"tanh'(z{layer}) = 1 − a{layer}² =" in text
                a, slope = scalar_text(v[f"a{layer}"][0]), scalar_text(v[f"dact{layer}"][0])
                assert f"1 − ({a})² = {slope}" in text, text
                assert f"W{layer + 1}^T delta{layer + 1} =" in text
            assert "chain rule: ∂L/∂W2[i,j] = delta2[i] · a1[j]" in texts["dW2"]
            assert texts["update"].count("−") >= 6  # W1 … b3, each W − η dW
            params = text_of(app, "params")
            for name in ("W1 (4,3)", "W2 (4,4)", "W3 (1,4)", "b3 (1,)"):
                assert name in params
            backward = text_of(app, "backward")
            for name in ("tanh'(z2)", "W3^T delta3", "delta3", "dW3", "delta1", "db1"):
                assert name in backward
            forward = text_of(app, "forward")
            assert all(n in forward for n in ("z1", "a2", "z3", "y_hat", "L"))

    asyncio.run(go())


def test_a_3_5_1_relu_network_with_cross_entropy() -> None:
    async def go():
        app = make_app(hidden=5, activation="relu", loss="bce")
        async with app.run_test(size=(120, 40)) as pilot:
            texts = await walk(app, pilot, (120, 40))
            assert len(texts) == 11
            assert "a1 = relu(" in texts["a1"] and "max(0, z)" in texts["a1"]
            assert "L = −[" in texts["L"]
            out = texts["delta2"]
            assert "σ' cancels" in out and "delta2 = y_hat − y =" in out
            y_hat, y = app.session.values["y_hat"], app.session.values["y"]
            assert f"{float(y_hat[0]):.5f} − {y:.5f} =" in out
            hidden = texts["delta1"]
            assert "relu'(z1) = [z1 > 0]" in hidden
            assert "at z = 0" in hidden and "z1[0] =" in hidden

    asyncio.run(go())


def test_a_softmax_classifier_shows_probabilities_summing_to_1() -> None:
    async def go():
        app = softmax_app()
        async with app.run_test(size=(120, 40)) as pilot:
            texts = await walk(app, pilot, (120, 40))
            v = app.session.values
            assert "y_hat = softmax(" in texts["y_hat"]
            probs = " + ".join(f"{p:.5f}" for p in v["y_hat"])
            assert f"probabilities sum to 1: {probs} = 1.00000" in texts["y_hat"]
            c = int(np.argmax(v["y"]))
            assert f"({CLASSES[c]})" in texts["load"]
            assert f"−log y_hat[{c}] = −log {v['y_hat'][c]:.5f}" in texts["L"]
            assert "σ' cancels" in texts["delta2"] and "delta2 =" in texts["delta2"]
            assert "W2 (3,5)" in text_of(app, "params")

    asyncio.run(go())


def test_every_phase_of_a_3_4_4_1_network_fits_80x24() -> None:
    async def go():
        app = make_app(hidden=(4, 4), activation="tanh")
        async with app.run_test(size=(80, 24)) as pilot:
            texts = await walk(app, pilot, (80, 24))
            assert "tanh'(z1) = 1 − a1²" in texts["delta1"]  # tight, but the slope stays

    asyncio.run(go())


def test_ask_mode_and_every_value_on_deeper_networks() -> None:
    """Ask mode hides what each generated phase produces, then reveals it; f lists every
    layer's values; neither stumbles on a network that is not the lab's."""
    async def go(app: BackpropApp):
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("a")
            for k in range(1, len(app.session.net.phases)):
                await pilot.press("n")
                await pilot.pause()
                assert app.session.cursor.phase == k
                produced = app.session.net.phases[k].produces
                assert app.ask.hidden(app.session) == produced
                assert "?" in text_of(app, "equation")
                await pilot.press("n")  # reveal
                await pilot.pause()
                assert not app.ask.hidden(app.session)
            await pilot.press("f")
            await pilot.pause()
            every = app.screen.query_one("#full-values").content.plain
            last = app.session.arch.depth
            assert f"W{last} new" in every and f"delta{last}" in every

    asyncio.run(go(make_app(hidden=(4, 4), activation="tanh")))
    asyncio.run(go(make_app(hidden=5, activation="leaky-relu", loss="bce")))
    asyncio.run(go(softmax_app(classes=())))


def test_a_classifier_plots_its_loss_by_name_and_accuracy_with_a_confusion_count() -> None:
    async def go(classes: tuple[str, ...]):
        app = softmax_app(classes)
        async with app.run_test(size=(120, 50)) as pilot:
            for _ in range(3):
                await pilot.press("e")
                await wait_for_run(app, pilot)
            await pilot.press("v")  # the plot takes the room
            await pilot.pause()
            loss = app.query_one("#loss-plot").render().plain
            assert "mean cross-entropy per epoch" in loss and "lab prints" not in loss
            await pilot.press("t")
            await pilot.pause(0.2)
            plot = app.query_one("#fit-plot")
            assert isinstance(plot, ClassPlot)
            text = plot.render().plain
            assert plot.size.height >= 7, plot.size  # the counts go beside the curve
            s = app.session
            ds = s.dataset
            now = accuracy(s.params, ds.X_train, ds.y_train, s.arch)
            assert f"train {100 * now:.1f}%" in text and "test " in text
            assert "accuracy per epoch" in text and "0%" in text and "100%" in text
            assert "confusion at epoch 3, sample 1" in text
            counts = confusion(s.params, ds.X_train, ds.y_train, s.arch)
            for i, name in enumerate(classes or ("0", "1", "2")):
                row = f"{i} {name}" if classes else name
                cells = r"\s+".join(str(int(c)) for c in counts[i])
                assert re.search(rf"(^|\s){row}\s+{cells}\s*$", text, re.M), (row, text)
            records = s.epoch_records
            assert len(records) == 3 and records[-1].train_accuracy is not None

    asyncio.run(go(CLASSES))
    asyncio.run(go(()))


def test_the_loss_plot_names_binary_cross_entropy() -> None:
    async def go():
        app = make_app(hidden=3, activation="tanh", loss="bce")
        async with app.run_test(size=(120, 50)) as pilot:
            await pilot.press("e")
            await wait_for_run(app, pilot)
            await pilot.pause()
            assert "mean binary cross-entropy per epoch" in \
                app.query_one("#loss-plot").render().plain

    asyncio.run(go())
