"""Tests of dataset loading: the lab stream, bundled iris, CSV files/URLs and their errors.

The lab data is checked bit-for-bit against an independent re-implementation
because students compare the debugger's numbers with their own notebook; every
error case checks that the message is one line naming file, line and column,
because that line is all the CLI/app shows.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import socket
import threading
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from backprop_tui.core.data.datasets import DataError, Dataset, load_dataset
from backprop_tui.core.network.params import init_params

UCI_IRIS_MD5 = "42615765a885ddf54427f12c34a0a070"  # archive.ics.uci.edu .../iris/iris.data


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def error_of(source: str, **kwargs: object) -> str:
    """The DataError message, asserted to be a single non-empty line."""
    with pytest.raises(DataError) as info:
        load_dataset(source, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert message and "\n" not in message and "\r" not in message
    return message


# --- lab ------------------------------------------------------------------


def reference_lab(seed: int) -> tuple[np.ndarray, np.ndarray, np.random.RandomState]:
    """The lab notebook, written out independently of backprop_tui."""
    ref = np.random.RandomState(seed)
    X = ref.uniform(-1, 1, size=(200, 3))
    z = X @ np.array([1.5, -2.0, 0.5]) + (-0.1)
    y = 1 / (1 + np.exp(-z))
    return X, y, ref


@pytest.mark.parametrize("seed", [42, 0, 7])
def test_lab_data_is_bit_identical_to_the_lab(seed: int) -> None:
    X, y, _ = reference_lab(seed)
    data, _ = load_dataset("lab", seed=seed)
    assert isinstance(data, Dataset)
    assert data.name == "lab"
    assert data.input_names == ("x1", "x2", "x3") and data.target_name == "y"
    assert data.X_train.dtype == np.float64 and data.y_train.dtype == np.float64
    assert np.array_equal(data.X_train, X)
    assert np.array_equal(data.y_train, y)
    assert (data.n_inputs, data.n_train, data.n_test) == (3, 200, 0)
    assert data.X_test.shape == (0, 3) and data.y_test.shape == (0,)
    assert data.warnings == ()


def test_lab_matches_the_global_seed_stream() -> None:
    saved = np.random.get_state()
    try:
        np.random.seed(42)
        X = np.random.uniform(-1, 1, size=(200, 3))
        W1 = 0.1 * np.random.randn(2, 3)
    finally:
        np.random.set_state(saved)
    data, rng = load_dataset()
    assert np.array_equal(data.X_train, X)
    assert np.array_equal(0.1 * rng.randn(2, 3), W1)


def test_lab_rng_continues_with_the_labs_weight_draws() -> None:
    _, _, ref = reference_lab(42)
    W1 = 0.1 * ref.randn(2, 3)
    W2 = 0.1 * ref.randn(1, 2)
    _, rng = load_dataset("lab", seed=42)
    params = init_params(rng, n_inputs=3, n_hidden=2, init_scale=0.1)
    assert np.array_equal(params.W1, W1)
    assert np.array_equal(params.W2, W2)


def test_lab_split_leaves_the_stream_untouched() -> None:
    X, y, ref = reference_lab(42)
    data, rng = load_dataset("lab", test_fraction=0.25)
    assert (data.n_train, data.n_test) == (150, 50)
    perm = np.random.default_rng([42, 1]).permutation(200)
    assert np.array_equal(data.X_test, X[perm[:50]])
    assert np.array_equal(data.y_train, y[perm[50:]])
    assert np.array_equal(rng.randn(2, 3), ref.randn(2, 3))


@pytest.mark.parametrize("option", [{"inputs": "0,1"}, {"target": "x1"}])
def test_lab_rejects_column_options(option: dict[str, str]) -> None:
    message = error_of("lab", **option)
    assert message.startswith("lab:") and "--inputs" in message


# --- iris -----------------------------------------------------------------


def test_bundled_iris_is_the_uci_file() -> None:
    raw = resources.files("backprop_tui.core.data").joinpath("iris.data").read_bytes()
    assert hashlib.md5(raw).hexdigest() == UCI_IRIS_MD5
    lines = raw.decode().split("\n")
    assert len(lines) == 152 and lines[-2:] == ["", ""]  # 150 rows + trailing blank line
    assert lines[34] == lines[37] == "4.9,3.1,1.5,0.1,Iris-setosa"  # UCI rows 35 and 38


def test_iris_defaults() -> None:
    data, rng = load_dataset("iris")
    assert data.name == "iris"
    assert data.input_names == ("sepal_length", "sepal_width", "petal_length")
    assert data.target_name == "petal_width"
    assert (data.n_train, data.n_test, data.n_inputs) == (120, 30, 3)
    assert len(data.warnings) == 1
    assert "0.1 to 2.5" in data.warnings[0] and "--normalize" in data.warnings[0]
    assert np.array_equal(rng.randn(3), np.random.RandomState(42).randn(3))


def test_iris_in_file_order_without_split() -> None:
    data, _ = load_dataset("iris", test_fraction=0)
    assert data.n_train == 150 and data.n_test == 0
    assert data.X_train[0].tolist() == [5.1, 3.5, 1.4] and data.y_train[0] == 0.2
    assert data.X_train[-1].tolist() == [5.9, 3.0, 5.1] and data.y_train[-1] == 1.8


def test_iris_normalized_has_no_warning() -> None:
    data, _ = load_dataset("iris", normalize=True)
    assert data.warnings == ()
    assert data.y_train.min() == 0.0 and data.y_train.max() == 1.0


def test_iris_selects_the_text_class_column() -> None:
    assert "column 'class' is not numeric" in error_of("iris", target="class")
    assert "is not numeric" in error_of("iris", inputs="4")


# --- normalisation and splitting -----------------------------------------


def test_normalisation_is_fitted_on_training_rows_only(tmp_path: Path) -> None:
    rows = [f"{i},{10 * i},7,{i * i}" for i in range(20)]
    path = write(tmp_path, "a,b,c,t\n" + "\n".join(rows) + "\n")
    raw, _ = load_dataset(path, test_fraction=0.3, seed=3)
    data, _ = load_dataset(path, test_fraction=0.3, seed=3, normalize=True)
    lo, hi = raw.X_train.min(axis=0), raw.X_train.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    expected_test = np.where(hi > lo, (raw.X_test - lo) / span, 0.0)
    assert np.allclose(data.X_test, expected_test)
    assert np.allclose(data.X_train.min(axis=0), [0, 0, 0])
    assert np.allclose(data.X_train.max(axis=0), [1, 1, 0])  # constant column c -> 0
    assert np.all(data.X_test[:, 2] == 0.0)
    tlo, thi = raw.y_train.min(), raw.y_train.max()
    assert np.allclose(data.y_test, (raw.y_test - tlo) / (thi - tlo))
    assert data.y_train.min() == 0.0 and data.y_train.max() == 1.0


def test_normalised_test_targets_outside_training_range_warn(tmp_path: Path) -> None:
    # The training rows can never include the row with the largest target when
    # it is the single test row; find a seed where that happens.
    path = write(tmp_path, "x,t\n" + "\n".join(f"{i},{i}" for i in range(10)) + "\n")
    for seed in range(100):
        data, _ = load_dataset(path, test_fraction=0.1, seed=seed, normalize=True)
        if data.y_test[0] > 1.0:
            assert len(data.warnings) == 1 and "outside (0, 1)" in data.warnings[0]
            break
    else:
        pytest.fail("no seed put the largest target in the test split")


def test_split_is_deterministic_and_seeded() -> None:
    a, _ = load_dataset("iris", seed=5)
    b, _ = load_dataset("iris", seed=5)
    c, _ = load_dataset("iris", seed=6)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_test, c.X_test)
    everything, _ = load_dataset("iris", test_fraction=0)
    perm = np.random.default_rng([5, 1]).permutation(150)
    assert np.array_equal(a.X_test, everything.X_train[perm[:30]])
    assert np.array_equal(a.X_train, everything.X_train[perm[30:]])


def test_small_fraction_still_gives_one_test_row(tmp_path: Path) -> None:
    path = write(tmp_path, "1,2\n3,4\n5,6\n")
    data, _ = load_dataset(path, test_fraction=0.01)
    assert (data.n_train, data.n_test) == (2, 1)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5, float("nan"), float("inf")])
def test_test_fraction_must_be_in_unit_interval(fraction: float) -> None:
    message = error_of("iris", test_fraction=fraction)
    assert "test fraction must be in [0, 1)" in message


def test_fraction_zero_keeps_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, "3,1\n1,2\n2,3\n")
    data, _ = load_dataset(path, test_fraction=0.0)
    assert data.X_train[:, 0].tolist() == [3, 1, 2] and data.n_test == 0
    assert data.X_test.shape == (0, 1)


# --- CSV parsing ------------------------------------------------------------


def test_csv_with_header(tmp_path: Path) -> None:
    path = write(tmp_path, "x1, x2 ,y\n0.1,0.2,0.3\n 0.4 , 0.5,0.6\n1,2,0.9\n")
    data, rng = load_dataset(path, test_fraction=0)
    assert data.name == path
    assert data.input_names == ("x1", "x2") and data.target_name == "y"
    assert data.X_train.tolist() == [[0.1, 0.2], [0.4, 0.5], [1, 2]]
    assert data.y_train.tolist() == [0.3, 0.6, 0.9]
    assert data.warnings == ()
    assert np.array_equal(rng.randn(2), np.random.RandomState(42).randn(2))


def test_csv_without_header(tmp_path: Path) -> None:
    path = write(tmp_path, "1,2,3\n4,5,6\n")
    data, _ = load_dataset(path, test_fraction=0)
    assert data.input_names == ("col0", "col1") and data.target_name == "col2"
    assert data.X_train.tolist() == [[1, 2], [4, 5]]
    assert "3 to 6" in data.warnings[0]


def test_header_detected_by_one_text_field_over_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, "a,2.5,b\n1,2,3\n4,5,6\n")
    data, _ = load_dataset(path, test_fraction=0)
    assert data.input_names == ("a", "2.5") and data.n_train == 2


def test_uci_form_with_class_column_and_trailing_blank_line(tmp_path: Path) -> None:
    text = (
        "5.1,3.5,1.4,0.2,Iris-setosa\n"
        "7.0,3.2,4.7,1.4,Iris-versicolor\n"
        "6.3,3.3,6.0,2.5,Iris-virginica\n"
        "\n"
    )
    data, _ = load_dataset(write(tmp_path, text, "iris.data"), test_fraction=0)
    assert data.input_names == ("col0", "col1", "col2") and data.target_name == "col3"
    assert data.y_train.tolist() == [0.2, 1.4, 2.5]


def test_crlf_bom_and_quotes(tmp_path: Path) -> None:
    path = write(tmp_path, '\ufeff"x","y"\r\n1,0.5\r\n2,0.25\r\n')
    data, _ = load_dataset(path, test_fraction=0)
    assert data.input_names == ("x",) and data.y_train.tolist() == [0.5, 0.25]


def test_column_selection_by_name_index_and_mixed(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c,d\n1,2,3,4\n5,6,7,8\n")
    by_name, _ = load_dataset(path, inputs="c, a", target="b", test_fraction=0)
    assert by_name.input_names == ("c", "a") and by_name.target_name == "b"
    assert by_name.X_train.tolist() == [[3, 1], [7, 5]]
    assert by_name.y_train.tolist() == [2, 6]
    by_index, _ = load_dataset(path, inputs="2,0", target="1", test_fraction=0)
    assert np.array_equal(by_index.X_train, by_name.X_train)
    mixed, _ = load_dataset(path, inputs="0,c", target="d", test_fraction=0)
    assert mixed.input_names == ("a", "c") and mixed.target_name == "d"
    only_target, _ = load_dataset(path, target="a", test_fraction=0)
    assert only_target.input_names == ("b", "c", "d")
    only_inputs, _ = load_dataset(path, inputs="a,b", test_fraction=0)
    assert only_inputs.target_name == "d"


def test_headerless_columns_selected_by_generated_name(tmp_path: Path) -> None:
    path = write(tmp_path, "1,2,3\n4,5,6\n")
    data, _ = load_dataset(path, inputs="col2", target="col0", test_fraction=0)
    assert data.X_train.tolist() == [[3], [6]] and data.y_train.tolist() == [1, 4]


# --- errors ----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.csv")
    assert error_of(path) == f"{path}: file not found"


def test_directory(tmp_path: Path) -> None:
    assert error_of(str(tmp_path)).startswith(f"{tmp_path}: is a directory")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty file"),
        ("\n  \n\n", "empty file"),
        ("x1,x2,y\n\n", "only a header"),
        (b"1,2\x00,3\n", "binary file"),
        (b"1,2,3\n\xff\xfe\x80,1,2\n", "non-UTF-8"),
        ("1,2,3\n4,5,6\n", None),  # control: parses
    ],
)
def test_unreadable_content(tmp_path: Path, text: str | bytes, expected: str | None) -> None:
    path = write(tmp_path, text)
    if expected is None:
        load_dataset(path)
        return
    message = error_of(path)
    assert message.startswith(f"{path}: ") and expected in message


def test_ragged_row_names_the_line(tmp_path: Path) -> None:
    lines = ["a,b,c,d,e"] + ["1,2,3,4,5"] * 5 + ["1,2,3,4"] + ["1,2,3,4,5"]
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert error_of(path) == f"{path}: line 7 has 4 fields, expected 5"


def test_non_numeric_value_names_line_and_column(tmp_path: Path) -> None:
    lines = ["x1,x2,y"] + ["1,2,3"] * 10 + ["1,abc,3"]
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert error_of(path) == f"{path}: line 12, column 'x2': 'abc' is not a number"


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "1,2\n\n3,4\n\n5,x\n")
    assert error_of(path) == f"{path}: line 5, column 'col1': 'x' is not a number"


@pytest.mark.parametrize("bad", ["nan", "inf", "-Infinity", "NaN"])
def test_non_finite_values(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, f"x,y\n1,2\n3,{bad}\n")
    assert error_of(path) == f"{path}: line 3, column 'y': '{bad}' is not a finite number"


def test_too_few_rows(tmp_path: Path) -> None:
    one = write(tmp_path, "x,y\n1,2\n", "one.csv")
    assert error_of(one).startswith(f"{one}: too few rows")
    two = write(tmp_path, "x,y\n1,0.5\n2,0.5\n", "two.csv")
    message = error_of(two, test_fraction=0.9)
    assert message.startswith(f"{two}: too few rows") and "no training row" in message


def test_no_numeric_input_column(tmp_path: Path) -> None:
    path = write(tmp_path, "name,y\nann,0.5\nbob,0.7\n")
    message = error_of(path)
    assert message.startswith(f"{path}: no numeric input column")
    assert "0 name (text), 1 y" in message


def test_unknown_column_lists_available(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c\n1,2,3\n4,5,6\n")
    message = error_of(path, inputs="a,zz")
    assert "no column 'zz'" in message and "available columns: 0 a, 1 b, 2 c" in message
    message = error_of(path, target="3")
    assert "index 3 out of range" in message and "available columns" in message
    assert "empty column name" in error_of(path, inputs="a,,b")


def test_target_also_an_input(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c\n1,2,3\n4,5,6\n")
    assert "'b' is both the target and an input" in error_of(path, inputs="a,b", target="1")
    assert "twice" in error_of(path, inputs="a,0")


def test_text_column_selected(tmp_path: Path) -> None:
    path = write(tmp_path, "x,kind,y\n1,red,0.5\n2,blue,0.5\n")
    data, _ = load_dataset(path, test_fraction=0)  # ignored by default
    assert data.input_names == ("x",)
    message = error_of(path, inputs="x,kind")
    assert message.startswith(f"{path}: column 'kind' is not numeric")


def test_dataerror_is_a_valueerror_and_stays_one_line() -> None:
    err = DataError("a\nb\r\nc")
    assert isinstance(err, ValueError) and "\n" not in str(err) and "\r" not in str(err)


# --- URLs ----------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server serving tmp_path; yields (base URL, directory)."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_url_loading(http_root: tuple[str, Path]) -> None:
    base, root = http_root
    write(root, "x1,x2,y\n1,2,0.1\n3,4,0.2\n5,6,0.3\n7,8,0.4\n9,10,0.5\n", "remote.csv")
    url = f"{base}/remote.csv"
    data, _ = load_dataset(url)
    assert data.name == url and data.input_names == ("x1", "x2")
    assert (data.n_train, data.n_test) == (4, 1)
    assert sorted(np.concatenate([data.y_train, data.y_test]).tolist()) == [
        0.1,
        0.2,
        0.3,
        0.4,
        0.5,
    ]


def test_url_errors(http_root: tuple[str, Path]) -> None:
    base, root = http_root
    missing = f"{base}/missing.csv"
    message = error_of(missing)
    assert message.startswith(f"{missing}: download failed") and "404" in message
    write(root, "a,b\n1,2\n3,x\n", "bad.csv")
    assert error_of(f"{base}/bad.csv") == f"{base}/bad.csv: line 3, column 'b': 'x' is not a number"


def test_url_connection_refused() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/data.csv"
    assert error_of(url).startswith(f"{url}: download failed")


def test_semicolon_separated_file_gets_a_hint(tmp_path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("a;b;c\n1;2;3\n4;5;6\n")
    with pytest.raises(DataError, match="separate columns with commas"):
        load_dataset(str(path))


# --- the two readers ---------------------------------------------------------------------


def test_clean_numeric_file_takes_the_fast_reader(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """numpy's reader does the work for a clean file; the streaming one only when needed."""
    from backprop_tui.core.data import csvload

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the streaming reader ran")

    monkeypatch.setattr(csvload, "read_columns", refuse)
    path = write(tmp_path, "x1,x2,y\n" + "0.5,1,0.25\n" * 50 + "\n", "clean.csv")
    data, _ = load_dataset(path, test_fraction=0)
    assert data.n_train == 50 and data.y_train[0] == 0.25
    quoted = write(tmp_path, '"x1",x2,y\n1,2,0.5\n3,4,0.5\n', "quoted.csv")
    with pytest.raises(AssertionError, match="streaming reader ran"):
        load_dataset(quoted)


@pytest.mark.parametrize(("text", "expected"), [
    ('"a","b"\n"1","2"\n"3","4"\n', [[1.0], [3.0]]),  # quotes: the streaming reader
    ("a,b\n1_000,2\n3,4\n", [[1000.0], [3.0]]),  # float() takes it, numpy does not
    ("a,b\r\n1,2\r\n3,4\r\n", [[1.0], [3.0]]),
    ("a,b,name\n1,2,x\n3,4,y\n", [[1.0], [3.0]]),  # a text column is skipped
])
def test_both_readers_load_what_float_accepts(tmp_path: Path, text: str,
                                              expected: list[list[float]]) -> None:
    data, _ = load_dataset(write(tmp_path, text), test_fraction=0)
    assert data.X_train.tolist() == expected


def test_bad_cell_after_many_good_rows_is_named_exactly(tmp_path: Path) -> None:
    """The fast reader refuses; the streaming one finds line and column."""
    lines = ["a,b,t"] + ["0.1,0.2,0.3"] * 5000 + ["0.1,oops,0.3"]
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert error_of(path) == f"{path}: line 5002, column 'b': 'oops' is not a number"


@pytest.mark.parametrize(("text", "where"), [
    ("a,b,t\n1\u200b,2,3\n4,5,6\n7,8,9\n", "line 2, column 'a'"),
    ("a,b,t\n1,2,3\n4\u200b,5,6\n7,8,9\n", "line 3, column 'a'"),
    ("1\u200b,2,3\n4,5,6\n7,8,9\n", "line 1, column 'col0'"),
    ("a,b,t\n1,2\u00a0\u200d,3\n4,5,6\n", "line 2, column 'b'"),
    ("a,b,t\n1,\u202e2,3\n4,5,6\n", "line 2, column 'b'"),
])
def test_an_invisible_character_in_a_number_is_named(tmp_path: Path, text: str,
                                                     where: str) -> None:
    """A zero-width space made the first row's '1' text, and column a vanished from the
    inputs without a word; now the cell is named, and the character by its code point."""
    message = error_of(write(tmp_path, text))
    assert where in message and "is not a number" in message, message
    assert "invisible character U+" in message, message


@pytest.mark.parametrize(("rows", "words"), [
    ([(f"{(-1) ** i * 1.7e308}", f"{i / 20}") for i in range(20)],
     "column 'a' runs from -1.7e+308 to 1.7e+308"),
    ([(f"{i / 20}", f"{(-1) ** i * 1.7e308}") for i in range(20)],
     "target 't' runs from -1.7e+308 to 1.7e+308"),
])
def test_normalize_says_which_column_is_too_wide_for_a_float(tmp_path: Path, rows,
                                                             words: str) -> None:
    """max - min overflowed: numpy warned, the data became nan and the run 'diverged',
    advising --normalize, which was the option given."""
    text = "a,t\n" + "".join(f"{a},{t}\n" for a, t in rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy warning would fail the test
        message = error_of(write(tmp_path, text), normalize=True, test_fraction=0.0)
    assert words in message and "too wide for a float" in message, message
    assert "rescale" in message and "--normalize the data" not in message
