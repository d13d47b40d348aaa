"""Class labels and several targets: iris-species, one-hot targets, and the refusals.

With ``--loss ce`` (or ``--dataset iris-species``) the target column holds class labels,
text or whole numbers, one-hot encoded in sorted order; ``--target y1,y2`` makes one
output unit per numeric column. What cannot work is one line and exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backprop_tui.cli import main
from backprop_tui.core.data.datasets import DataError, load_dataset
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session


def write(tmp_path: Path, text: str, name: str = "d.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def error_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_iris_species_is_four_measurements_to_three_species() -> None:
    session = build_session(DataOptions("iris-species"), TrainConfig())
    ds, arch = session.dataset, session.arch
    assert ds.classes == ("Iris-setosa", "Iris-versicolor", "Iris-virginica")
    assert ds.input_names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert (ds.n_train, ds.n_test) == (120, 30)  # the same split as iris
    assert arch.sizes == (4, 2, 3) and (arch.output, arch.loss) == ("softmax", "ce")
    assert ds.y_train.shape == (120, 3) and np.all(ds.y_train.sum(axis=1) == 1)
    iris = build_session(DataOptions("iris"), TrainConfig())
    assert np.array_equal(iris.dataset.X_test[:, :3], ds.X_test[:, :3])  # same rows


def test_accuracy_is_recorded_per_epoch_for_classes() -> None:
    session = build_session(DataOptions("iris-species", normalize=True), TrainConfig(hidden=5))
    session.run_epochs(30)
    last = session.epoch_records[-1]
    assert 0.0 <= last.train_accuracy <= 1.0 and 0.0 <= last.test_accuracy <= 1.0
    assert last.train_accuracy > 0.6  # it learns (chance is 1/3)
    lab = build_session(DataOptions(), TrainConfig())
    lab.run_epochs(1)
    assert lab.epoch_records[-1].train_accuracy is None


def test_labels_are_sorted_numerically_when_they_are_whole_numbers(tmp_path: Path) -> None:
    rows = "".join(f"{i % 7 * 0.1},{(i * 3) % 5},{[10, 2, 33][i % 3]}\n" for i in range(30))
    path = write(tmp_path, "a,b,c\n" + rows)
    ds, _ = load_dataset(path, classes=True, test_fraction=0.0)
    assert ds.classes == ("2", "10", "33") and ds.target_name == "c"
    assert ds.input_names == ("a", "b")
    first = [10, 2, 33][0]
    assert ds.y_train[0].tolist() == [float(c == str(first)) for c in ds.classes]


def test_several_numeric_targets(tmp_path: Path) -> None:
    rows = "".join(f"{i * 0.1},{i * 0.2},{(i % 5) / 5},{(i % 3) / 3}\n" for i in range(20))
    path = write(tmp_path, "a,b,y1,y2\n" + rows)
    session = build_session(DataOptions(path, target="y1,y2", test_fraction=0.0),
                            TrainConfig(hidden=3, output="identity"))
    assert session.dataset.y_train.shape == (20, 2) and session.arch.sizes == (2, 3, 2)
    assert session.dataset.target_name == "y1,y2"
    session.run_epochs(2)
    assert np.isfinite(session.epoch_records[-1].train_loss)


def test_too_many_classes_are_refused_in_one_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rows = "".join(f"{i * 0.001},{i}\n" for i in range(10_000))
    path = write(tmp_path, "a,y\n" + rows)
    line = error_line(["train", "--dataset", path, "--loss", "ce"], capsys)
    assert "10,000 distinct values" in line and "50 classes" in line


def test_one_class_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "a,y\n" + "".join(f"{i},cat\n" for i in range(10)))
    assert "one class only" in error_line(["train", "--dataset", path, "--loss", "ce"], capsys)


def test_ce_on_the_lab_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert "needs classes" in error_line(["train", "--loss", "ce"], capsys)


def test_an_empty_label_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "a,y\n1,cat\n2,\n3,dog\n")
    with pytest.raises(DataError, match="line 3, column 'y': an empty class label"):
        load_dataset(path, classes=True)


def test_a_saved_species_session_resumes(tmp_path: Path) -> None:
    from backprop_tui.core.files.savefile import load, restore, save, state_of

    data, config = DataOptions("iris-species"), TrainConfig(hidden=(4, 3), activation="tanh")
    session = build_session(data, config)
    session.goto(130, 5)
    path = save(tmp_path / "s.json", state_of(session, data))
    state = load(path)
    assert state.dataset.source == "iris-species" and state.config.layers == (4, 3)
    again, _ = restore(state)
    assert again.arch == session.arch and again.cursor == session.cursor
    assert again.params.equals(session.params)
