"""Shared set-up for the app's tests: a fresh session per test, stable rendering."""

from __future__ import annotations

import pytest

from backprop_tui.app.app import BackpropApp
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session


@pytest.fixture(autouse=True)
def _stable_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots must not depend on the developer's colour or theme settings."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)


def make_app(source: str = "lab", student=None, **config) -> BackpropApp:
    """The app on the lab's data (or ``source``), as `backprop-tui` opens it."""
    data = DataOptions(source=source, normalize=source == "iris",
                       test_fraction=None if source in ("lab", "iris") else 0.0)
    return BackpropApp(build_session(data, TrainConfig(**config)), student=student, data=data)


async def wait_for_run(app: BackpropApp, pilot, limit: float = 30.0) -> None:
    """Let a background run finish (it posts RunFinished), without sleeping blindly."""
    waited = 0.0
    while app.running and waited < limit:
        await pilot.pause(0.05)
        waited += 0.05
    await pilot.pause()
    assert not app.running, "the run did not finish"
