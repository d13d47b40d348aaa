"""Epoch records stay bounded in a run of any length, exact where they are read.

A million-epoch run must not keep a million records (issue #10), yet ``train``
prints every epoch and the app plots the recent ones exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backprop_tui.cli import main
from backprop_tui.core.run.records import EpochLog, EpochRecord
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session


def record(e: int) -> EpochRecord:
    return EpochRecord(e, float(e), e / 2, None)


def test_short_logs_keep_everything_exactly() -> None:
    log = EpochLog(recent=8, max_old=4)
    for e in range(15):
        log.append(record(e))
    assert list(log) == [record(e) for e in range(15)] and not log.thinned
    assert log.before(6) == [record(e) for e in range(6)]


@pytest.mark.parametrize("n", [16, 17, 100, 1000, 123_457])
def test_long_logs_stay_bounded_with_the_newest_exact(n: int) -> None:
    log = EpochLog(recent=8, max_old=4)
    for e in range(n):
        log.append(record(e))
    kept = list(log)
    assert len(log) == n and log.thinned
    assert len(kept) <= 2 * 8 + 4
    assert [r.epoch for r in kept] == sorted({r.epoch for r in kept})  # ordered, no repeats
    assert kept[-8:] == [record(e) for e in range(n - 8, n)]           # the newest exact
    assert kept[0].epoch == 0                                          # the start stays
    assert all(r == record(r.epoch) for r in kept)                     # real records only
    assert log.before(n - 3) == kept[:-3] and log.before(0) == []
    middle = n // 2
    assert all(r.epoch < middle for r in log.before(middle))


@pytest.mark.parametrize(("n", "cut"), [(15, 6), (15, 0), (15, 15), (1000, 990), (1000, 500)])
def test_truncate_forgets_the_discarded_epochs_and_goes_on(n: int, cut: int) -> None:
    """An edit discards the epochs from its own on; the log then grows again from there."""
    log = EpochLog(recent=8, max_old=4)
    for e in range(n):
        log.append(record(e))
    kept_before = log.before(cut)
    log.truncate(cut)
    assert len(log) == cut and list(log) == kept_before
    for e in range(cut, cut + 40):
        log.append(record(e))
    kept = [r.epoch for r in log]
    assert len(log) == cut + 40 and kept == sorted(set(kept)) and kept[-1] == cut + 39
    assert len(kept) <= 2 * 8 + 4 and kept[-8:] == list(range(cut + 32, cut + 40))


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        EpochLog(recent=0)


def tiny_csv(tmp_path: Path) -> str:
    path = tmp_path / "two.csv"
    path.write_text("x1,x2,y\n0.5,-0.25,0.75\n-1,1,0.125\n")
    return str(path)


def test_session_records_of_a_long_run_are_thinned(tmp_path: Path) -> None:
    session = build_session(DataOptions(source=tiny_csv(tmp_path), test_fraction=0.0),
                            TrainConfig())
    seen: list[EpochRecord] = []
    session.timeline.on_epoch = seen.append
    session.run_epochs(20_000)
    kept = session.epoch_records
    assert [r.epoch for r in seen] == list(range(20_000))
    assert len(kept) < 12_300 and kept[-4096:] == seen[-4096:]
    assert set(kept) <= set(seen)
    assert session.goto(2 * 500) and session.epoch_records == [r for r in kept if r.epoch < 500]


def test_train_prints_and_reports_every_epoch_of_a_long_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["train", "--dataset", tiny_csv(tmp_path), "--test-fraction", "0", "--epochs", "9000"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [int(line.split()[0]) for line in lines[3:]] == list(range(9000))
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [e["epoch"] for e in doc["epochs"]] == list(range(9000))
    assert [line.split()[1] for line in lines[3:]] == [
        f"{e['train_loss_sum']:.6g}" for e in doc["epochs"]]
