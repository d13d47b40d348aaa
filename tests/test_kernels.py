"""The compiled kernel against the plain-float one: the same bits, whichever runs.

A run may switch kernels between chunks and a step back replays with whichever
kernel is cheaper, so anything short of bit-identity would make time travel show
numbers the run never had. Every comparison here is exact (``==``, ``equals``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backprop_tui.core.network.params import Params
from backprop_tui.core.run import engine
from backprop_tui.core.run.session import Session, TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session, report, train

ROOT = Path(__file__).resolve().parents[1]
needs_numba = pytest.mark.skipif(not engine.numba_installed(), reason="numba is not installed")


def run(monkeypatch: pytest.MonkeyPatch, kernel: str, data: DataOptions, epochs: int,
        **config: object) -> Session:
    monkeypatch.setenv(engine.KERNEL_ENV, kernel)
    session = build_session(data, TrainConfig(epochs=epochs, **config))  # type: ignore[arg-type]
    train(session, epochs)
    return session


def flat(p: Params) -> list[float]:
    return p.flat().tolist()


CASES = [
    pytest.param(DataOptions(), {"hidden": 2}, 30, id="lab"),
    pytest.param(DataOptions(source="iris", normalize=True), {"hidden": 2}, 25, id="iris"),
    pytest.param(DataOptions(source="iris"), {"hidden": 3, "shuffle": True}, 10,
                 id="iris-raw-shuffled"),
    pytest.param(DataOptions(), {"hidden": 1}, 20, id="lab-hidden-1"),
    pytest.param(DataOptions(), {"hidden": 7, "lr": 2.0}, 20, id="lab-hidden-7"),
    pytest.param(DataOptions(source="iris", normalize=True), {"hidden": 32}, 8,
                 id="iris-hidden-32"),
    pytest.param(DataOptions(), {"hidden": 32, "init_scale": 1.0}, 8, id="lab-hidden-32"),
]


KINDS = ["numpy", "numba"] if engine.numba_installed() else ["numpy"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("data,config,epochs", CASES)
def test_kernels_are_bit_identical(monkeypatch: pytest.MonkeyPatch, data: DataOptions,
                                   config: dict, epochs: int, kind: str) -> None:
    """Every epoch figure, the final and intermediate parameters and replayed losses agree
    with the plain-float kernel's to the last bit."""
    plain = run(monkeypatch, "python", data, epochs, **config)
    other = run(monkeypatch, kind, data, epochs, **config)
    assert plain.timeline.kernels_used == {"python"}
    assert other.timeline.kernels_used == {kind}
    assert plain.epoch_records == other.epoch_records
    assert len(plain.epoch_records) == epochs
    assert flat(plain.params) == flat(other.params)
    total = plain.timeline.head
    for u in sorted({1, 127, 128, 129, plain.n - 1, plain.n + 5, total // 2, total - 1}):
        assert flat(plain.timeline.params_at(u)) == flat(other.timeline.params_at(u)), u
    start = (epochs - 1) * plain.n
    assert plain.timeline.losses(start, total) == other.timeline.losses(start, total)


@needs_numba
def test_switching_kernels_mid_run_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of one run made alternately by each kernel land on the straight run's bits."""
    straight = run(monkeypatch, "python", DataOptions(), 6, hidden=5)
    session = build_session(DataOptions(), TrainConfig(hidden=5))
    for i, to_u in enumerate(range(37, 6 * 200 + 1, 37)):
        monkeypatch.setenv(engine.KERNEL_ENV, ("numba", "python", "numpy")[i % 3])
        session.timeline.advance(to_u)
    session.timeline.advance(6 * 200)
    assert session.timeline.kernels_used == {"python", "numpy", "numba"}
    assert session.timeline.epoch_records.before(6) == straight.epoch_records
    assert flat(session.timeline.params_at(1200)) == flat(straight.params)


@pytest.mark.parametrize("kind", KINDS)
def test_divergence_is_found_at_the_same_sample(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path, kind: str) -> None:
    rows = ["x,y"] + [f"{i % 7},0.5" for i in range(300)] + ["1e300,1e300"] + ["1,0.5"] * 10
    path = tmp_path / "diverge.csv"
    path.write_text("\n".join(rows) + "\n")
    data = DataOptions(source=str(path), test_fraction=0.0)
    plain = run(monkeypatch, "python", data, 2, lr=1e307, init_scale=0.0)
    other = run(monkeypatch, kind, data, 2, lr=1e307, init_scale=0.0)
    assert plain.divergence is not None and plain.divergence == other.divergence
    assert plain.divergence.update == 300
    assert flat(plain.params) == flat(other.params)
    assert plain.epoch_losses() == other.epoch_losses()


def test_choice_keeps_short_work_off_numba(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engine.KERNEL_ENV, "auto")
    monkeypatch.setattr(engine, "numba_loaded", lambda *arch: False)
    monkeypatch.setattr(engine, "numba_installed", lambda: True)
    assert engine.choose(1, 3, 2) == "python"               # a step
    assert engine.choose(128, 3, 2) == "python"             # a replay
    assert engine.choose(20 * 200, 3, 2) == "python"        # `train`'s default 20 epochs
    assert engine.choose(3000 * 200, 3, 2) == "numba"       # a long run
    assert engine.choose(100 * 200, 50, 32) == "numba"      # large layers pay sooner
    assert engine.choose(20 * 200, 3, 32) == "numpy"        # than numba's start-up
    assert engine.choose(128, 3, 32) == "numpy"             # a replay with large layers
    monkeypatch.setenv(engine.KERNEL_ENV, "python")
    assert engine.choose(3000 * 200, 3, 2) == "python"
    monkeypatch.setattr(engine, "numba_installed", lambda: False)
    monkeypatch.setenv(engine.KERNEL_ENV, "numba")
    assert engine.choose(3000 * 200, 3, 2) == "python"      # no numba: the plain kernels
    assert engine.choose(3000 * 200, 3, 32) == "numpy"
    assert engine.choose(3000 * 200, 50, 2) == "python"


def test_estimate_counts_numba_start_up_so_short_work_stays_plain(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app does work estimated under 0.25 s on its UI thread: such work must never be
    work that imports numba (~0.35 s), so an estimate for numba includes its start-up."""
    monkeypatch.setenv(engine.KERNEL_ENV, "auto")
    monkeypatch.setattr(engine, "numba_loaded", lambda *arch: False)
    monkeypatch.setattr(engine, "numba_installed", lambda: True)
    monkeypatch.setattr(engine, "numba_cached", lambda *kernel: True)
    start = engine.NUMBA_IMPORT_S + engine.NUMBA_LOAD_S
    for updates, hidden in ((1, 2), (500 * 200, 2), (3000 * 200, 2), (100 * 200, 32)):
        kind, seconds = engine.choose(updates, 3, hidden), engine.estimate(updates, 3, hidden)
        assert (kind == "numba") == (seconds >= start), (updates, hidden, kind, seconds)
    assert engine.estimate(2000, 3, 2) == pytest.approx(2 * engine.estimate(1000, 3, 2))
    monkeypatch.setattr(engine, "numba_loaded", lambda *arch: True)  # after a long run: cheap
    assert engine.estimate(3000 * 200, 3, 2) < 0.1


def test_run_seconds_is_zero_for_what_is_computed_already() -> None:
    session = build_session(DataOptions(), TrainConfig())
    assert session.run_seconds(0) == 0.0
    ahead = session.run_seconds(5 * session.n)
    assert ahead > 0
    session.run_epochs(5)
    session.goto(0)  # back at the start: the run up to epoch 5 is kept
    assert session.run_seconds(5 * session.n) == 0.0
    assert session.run_seconds(6 * session.n) == pytest.approx(ahead / 5, rel=0.5)


def test_fallback_when_numba_cannot_be_imported(tmp_path: Path) -> None:
    """With numba unimportable (a broken install here), runs use the plain kernel, with the
    same results, and ``--version`` and ``train --json`` say so."""
    (tmp_path / "numba").mkdir()
    (tmp_path / "numba" / "__init__.py").write_text("raise ImportError('broken on purpose')\n")
    code = (
        "import json, sys\n"
        "from backprop_tui.core.run import engine\n"
        "from backprop_tui.core.run.training import DataOptions, build_session, report, train\n"
        "from backprop_tui.core.run.session import TrainConfig\n"
        "s = build_session(DataOptions(), TrainConfig(epochs=3000))\n"
        "r = train(s, 3000)\n"
        "doc = report(s, DataOptions(), r)\n"
        "wide = build_session(DataOptions(), TrainConfig(hidden=32))\n"
        "train(wide, 3)\n"
        "print(json.dumps([doc['config']['kernel'], doc['epochs'][-1]['train_loss_sum'], "
        "engine.summary(), sorted(wide.timeline.kernels_used)]))\n"
    )
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT}", "BACKPROP_TUI_KERNEL": "numba",
           "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, timeout=120).stdout
    kernel, last, summary, wide = __import__("json").loads(out)
    assert kernel == "python" and wide == ["numpy"]  # numpy across large layers
    assert "numba failed to import" in summary and "broken on purpose" in summary
    plain = build_session(DataOptions(), TrainConfig(epochs=3000))
    plain.timeline.advance(3000 * 200)
    assert plain.timeline.epoch_records.last().train_loss_sum == last


def test_json_config_names_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    session = run(monkeypatch, "python", DataOptions(), 2)
    doc = report(session, DataOptions(), train(session, 2))
    assert doc["config"]["kernel"] == "python"  # type: ignore[index]


def test_first_frame_path_imports_no_numba() -> None:
    """Opening a session and showing its first state never loads numba or the checker."""
    code = ("import sys\n"
            "from backprop_tui.options import open_session\n"
            "from backprop_tui.app_options import app_parser\n"
            "s, _ = open_session(app_parser().parse_args([]))\n"
            "s.values; s.params; s.epoch_records; s.epoch_losses(); s.fit()\n"
            "for _ in range(30): s.step_forward()\n"
            "s.step_back(); s.next_sample(); s.values\n"
            "bad = [m for m in sys.modules if m.split('.')[0] == 'numba' or m.endswith("
            "'.compiled') or m.startswith('backprop_tui.check') or m.endswith('gradcheck')]\n"
            "assert not bad, bad\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "BACKPROP_TUI_KERNEL": "auto"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env, timeout=60)


def test_kernel_setting_typo_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engine.KERNEL_ENV, "NUMBA ")
    assert engine.setting(strict=True) == "numba"
    monkeypatch.setenv(engine.KERNEL_ENV, "fastest")
    assert engine.setting() == "auto"  # during a run, never an exception
    with pytest.raises(ValueError, match="BACKPROP_TUI_KERNEL must be one of auto, python, "
                                         "numpy, numba, got 'fastest'"):
        build_session(DataOptions(), TrainConfig())
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), engine.KERNEL_ENV: "fastest"}
    done = subprocess.run([sys.executable, "-m", "backprop_tui", "train"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "backprop-tui: error: BACKPROP_TUI_KERNEL must be one of auto, python, numpy, "
        "numba, got 'fastest'"]


def test_checker_submodules_import_only_what_they_need() -> None:
    """The app's sandbox (and the checker's loader) come without the comparison, the
    gradient check or numba: those load when a student's values are first compared."""
    code = ("import sys, backprop_tui.check.sandbox, backprop_tui.check.loader\n"
            "bad = [m for m in sys.modules if m.endswith(('check.compare', 'gradcheck', "
            "'check.diagnose', 'compiled')) or m.split('.')[0] == 'numba']\n"
            "assert not bad, bad\n"
            "from backprop_tui.check import compare_sample, StudentError\n"
            "assert 'backprop_tui.check.compare' in sys.modules\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env, timeout=60)


@pytest.mark.parametrize("setting,expected", [("python", "kernel: plain Python floats "
                                                          "(BACKPROP_TUI_KERNEL=python)"),
                                              ("auto", "kernel: ")])
def test_version_names_the_kernel(setting: str, expected: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), engine.KERNEL_ENV: setting}
    done = subprocess.run([sys.executable, "-m", "backprop_tui", "--version"], env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    lines = done.stdout.splitlines()
    assert len(lines) == 3 and lines[0].startswith("backprop-tui ")
    assert lines[2].startswith("networks: 1 to 4 hidden layers")
    assert lines[1].startswith(expected)
    if setting == "auto" and engine.numba_installed():
        assert "numba" in lines[1] and "for long runs" in lines[1]


def test_a_run_of_absurdly_many_epochs_is_refused() -> None:
    session = build_session(DataOptions(), TrainConfig())
    with pytest.raises(ValueError, match="at most 1,000,000,000 epochs"):
        session.run_epochs(10**400)
    with pytest.raises(ValueError, match="between 0 and 1,000,000,000"):
        TrainConfig(epochs=10**10).validate()
