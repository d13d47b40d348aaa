"""One student file per real mistake: the verdict, and the words the report must contain.

Each file in tests/students/ is checked the way ``backprop-tui check FILE`` checks it
(child process, default number of samples, the lab's data), and both the text report
and the JSON document are held to the same facts: the status, the kind of mismatch,
the quantity, the sample (counted from 1) and the words that name the mistake.
A student at 11 pm reads these words; they must name what is wrong, not a symptom.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backprop_tui.check.report import format_text, to_json
from backprop_tui.check.runner import check_file, default_samples
from backprop_tui.core.run.session import TrainConfig
from backprop_tui.core.run.training import DataOptions, build_session

STUDENTS = Path(__file__).parent / "students"

# name: (status, kind, quantity, sample number, words in the text report and the JSON explanation)
CASES: dict[str, tuple[str, str | None, str | None, int | None, list[str]]] = {
    "updates_in_place": ("wrong", "mutated", None, 1,
                         ["W1 -= 0.5 * dW1", "b2 -= 0.5 * db2", "twice", "in place"]),
    "updates_w2_before_delta1": ("wrong", "mutated", None, 1,
                                 ["W2 -= 0.5 * dW2", "twice", "dW1 differs too",
                                  "W2 after its update"]),
    "mutates_x": ("wrong", "mutated", None, 1, ["changes x in place", "training data"]),
    "memoises_by_x": ("wrong", "state", None, 1,
                      ["exactly what it returned before", "other weights",
                       "keeps results between calls", "cache", "from the second epoch on"]),
    "caches_first_call": ("wrong", "state", None, 1,
                          ["other weights", "keeps results between calls",
                           "from the second call on"]),
    "anneals_inside": ("wrong", "state", None, 99,
                       ["sample 1 (epoch 0, row 0) matched", "fresh process",
                        "keeps state between calls"]),
    "global_weights": ("wrong", "value", "pred", 2,
                       ["given another W1 and W2", "does not use those arguments", "globals"]),
    "counter": ("wrong", "state", None, 1, ["twice in a row", "different values"]),
    "sigma_times_one_minus_z": ("wrong", "value", "dW2", 1,
                                ["σ(z2)(1 − z2)", "both layers", "sigmoid_prime",
                                 "error starts at delta2 (grad_output)"]),
    "z_one_minus_z": ("wrong", "value", "dW2", 1, ["z2(1 − z2)", "error starts at delta2"]),
    "sigma_prime_of_activation": ("wrong", "value", "dW1", 1,
                                  ["σ' was applied to a1 instead of z1",
                                   "error starts at delta1 (grad_hidden)"]),
    "no_output_derivative": ("wrong", "value", "dW2", 1, ["σ'(z2) is missing",
                                                          "Write: delta2 ="]),
    "no_hidden_derivative": ("wrong", "value", "dW1", 1, ["σ'(z1) is missing"]),
    "negated_dw2": ("wrong", "value", "dW2", 1,
                    ["only dW2 has the wrong sign", "delta2 (grad_output) is right"]),
    "twice_error": ("wrong", "value", "dW2", 1, ["2(pred − y)", "½(pred − y)²"]),
    "loss_without_half": ("wrong", "value", "loss", 1, ["loss (L)", "½ is missing"]),
    "delta1_updated_w2": ("wrong", "value", "dW1", 1,
                          ["W2 after its update", "W2 − 0.5·dW2", "forward pass"]),
    "dw1_from_a1": ("wrong", "shape", "dW1", 1,
                    ["(2, 2)", "(2, 3)", "dW1 uses a1 where it needs the input x"]),
    "transposed_dw1": ("wrong", "shape", "dW1", 1, ["transposed", "np.outer(delta1, x)"]),
    "transposed_dw2": ("wrong", "shape", "dW2", 1, ["(2, 1)", "(1, 2)", "(2, 2)", "3-2-1"]),
    "db1_column": ("wrong", "shape", "db1", 1,
                   ["right numbers in shape (2, 1)", "W2.T @ delta2", "(2, 2)"]),
    "w2_not_transposed": ("wrong", "raised", None, 1,
                          ["W2 @ grad_output multiplies (1, 2) by (1,)",
                           "W2.T @ grad_output"]),
    "wrong_bias": ("wrong", "value", "db1", 1, ["summed over the inputs", "db1 = delta1"]),
    "no_bias": ("wrong", "value", "pred", 2, ["biases are not added", "start at zero"]),
    "float32": ("wrong", "precision", "loss", None,
                ["float32", "formulas are right", "float64"]),
    "scalar_db2": ("ok", None, None, None, ["db2 has shape ()", "b2 - lr * db2",
                                            "dW2 has shape (2,)"]),
    "correct": ("ok", None, None, None, ["all quantities match"]),
    # More accurate than the engine's a(1 − a): right here, and with saturated units below.
    "exp_form_sigma_prime": ("ok", None, None, None, ["all quantities match"]),
    "longdouble": ("ok", None, None, None, ["all quantities match"]),
    "decimal_math": ("ok", None, None, None, ["all quantities match"]),
    "complex_step": ("ok", None, None, None, ["all quantities match"]),
    "clipped_sigmoid": ("ok", None, None, None, ["all quantities match"]),  # small weights
    # Close without float32: the size of the miss, not a dtype that is not there.
    "forward_differences": ("wrong", "approximate", "dW1", 1,
                            ["approximate", "off by up to 5.3e-06 relative",
                             "finite difference"]),
    "tiny_noise": ("wrong", "approximate", "dW1", 1,
                   ["approximate", "off by up to 1.9e-05 relative", "(db1 too)"]),
    "updated_weights": ("wrong", "updated", "dW2", 1,
                        ["updated weights W − η dW", "η = 0.5", "W1 − 0.5·dW1",
                         "return the gradients themselves"]),
    "int_target": ("wrong", "value", "loss", 1,
                   ["target as a whole number", "½(pred − 0)²", "target is 0.114331",
                    "int(target)"]),
    "round_target_delta": ("wrong", "value", "dW2", 1,
                           ["rounded to 0", "np.round(target)", "error starts at delta2"]),
    "hidden_sign_flipped": ("wrong", "value", "pred", 1,
                            ["hidden layer's sigmoid has the wrong sign",
                             "yours is 1/(1 + e^(z1))", "output sigmoid is right"]),
    "wrong_db1": ("wrong", "value", "db1", 1,
                  ["dW1 is right but the bias gradient db1 is not", "2 times the engine's db1",
                   "delta1 (grad_hidden) is right"]),
}

# Words a report must NOT say: a cause that contradicts the rest of the report or the code.
NOT_SAID: dict[str, list[str]] = {
    "forward_differences": ["float32"],
    "tiny_noise": ["float32"],
    "updated_weights": ["read from your db2", "error starts at delta2"],
    "wrong_db1": ["2(pred − y)", "output error"],
    "caches_first_call": ["second epoch"],
}

# Saturated hidden units (raw Iris, large weights): the engine's a(1 − a) loses ~6e-6 relative.
SATURATED = (DataOptions(source="iris"), TrainConfig(seed=20, init_scale=3.0, hidden=7))
SATURATED_CASES: dict[str, tuple[str, str | None, list[str]]] = {
    "correct": ("ok", None, []),
    "exp_form_sigma_prime": ("ok", None, []),
    "longdouble": ("ok", None, []),
    "decimal_math": ("ok", None, []),
    "complex_step": ("ok", None, []),
    "float32": ("wrong", "precision", ["float32"]),
    "clipped_sigmoid": ("wrong", "approximate", ["approximate", "clipped"]),
    "tiny_noise": ("wrong", "approximate", ["approximate"]),
    "forward_differences": ("wrong", "approximate", ["approximate"]),
}


def flat(text: str) -> str:
    return " ".join(text.split())


def run_students(names: list[str], data: DataOptions, config: TrainConfig
                 ) -> dict[str, tuple[int, str, dict]]:
    """Each student checked once (in parallel: most of the time is child start-up)."""
    def run(name: str) -> tuple[int, str, dict]:
        session = build_session(data, config)
        report = check_file(session, str(STUDENTS / f"{name}.py"),
                            default_samples(session.n), 20.0)
        return report.exit_status, format_text(report, name), to_json(report, {})

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(names, pool.map(run, names), strict=True))


@pytest.fixture(scope="module")
def reports() -> dict[str, tuple[int, str, dict]]:
    return run_students(list(CASES), DataOptions(), TrainConfig())


@pytest.fixture(scope="module")
def saturated() -> dict[str, tuple[int, str, dict]]:
    return run_students(list(SATURATED_CASES), *SATURATED)


@pytest.mark.parametrize("name", CASES)
def test_student_verdict_and_words(reports: dict[str, tuple[int, str, dict]], name: str) -> None:
    status, kind, quantity, number, words = CASES[name]
    exit_status, text, doc = reports[name]
    assert doc["status"] == status, text
    assert exit_status == (0 if status == "ok" else 1)
    if status == "ok":
        assert doc["first_mismatch"] is None and doc["samples_checked"] == 400
        said = flat(text)
    else:
        first = doc["first_mismatch"]
        assert (first["kind"], first["quantity"]) == (kind, quantity), text
        if number is not None:
            assert (first["sample"], first["sample_index"]) == (number, number - 1)
            assert f"MISMATCH at sample {number} (epoch 0, row {number - 1})" in text
        said = flat(text)
        for w in words:
            assert w in doc["explanation"] + " " + (first.get("origin") or {}).get("text", ""), w
    for w in words:
        assert w in said, (w, text)
    for w in NOT_SAID.get(name, []):
        assert w not in said, (w, text)


@pytest.mark.parametrize("name", SATURATED_CASES)
def test_student_verdict_with_saturated_units(saturated: dict[str, tuple[int, str, dict]],
                                             name: str) -> None:
    """--dataset iris --seed 20 --init-scale 3 --hidden 7: a student more accurate than the
    engine passes; float32 is still float32; a close miss without float32 is 'approximate'."""
    status, kind, words = SATURATED_CASES[name]
    exit_status, text, doc = saturated[name]
    assert doc["status"] == status, text
    assert exit_status == (0 if status == "ok" else 1)
    if status == "ok":
        assert doc["first_mismatch"] is None and doc["samples_checked"] == 240
    else:
        assert doc["first_mismatch"]["kind"] == kind, text
    said = flat(text)
    for w in words:
        assert w in said, (w, text)
    if kind == "approximate":
        assert "float32" not in said, text


def test_each_mistake_has_its_own_student() -> None:
    """Every file in tests/students/ that loads is in the table above or in test_check.py."""
    elsewhere = {"hangs_on_import", "never_returns", "no_function", "noisy", "raises",
                 "syntax_error", "too_few", "wrong_parameters"}
    files = {p.stem for p in STUDENTS.glob("*.py")}
    assert files == set(CASES) | elsewhere


def test_float32_shows_digits_that_differ(reports: dict[str, tuple[int, str, dict]]) -> None:
    """The report prints expected and got with as many digits as it takes to tell them apart."""
    _, text, doc = reports["float32"]
    first = doc["first_mismatch"]
    expected_line = next(ln for ln in text.splitlines() if ln.strip().startswith("expected"))
    got_line = next(ln for ln in text.splitlines() if ln.strip().startswith("got"))
    shown = [ln.split(")", 1)[1].split()[0] for ln in (expected_line, got_line)]
    assert shown[0] != shown[1]
    assert float(shown[0]) == pytest.approx(first["expected"], rel=1e-6)
    assert 1e-7 < first["relative_error"] < 1e-4


def test_state_is_found_even_with_few_samples() -> None:
    """The repeat and other-weights calls catch a cache at the first sample, --samples 2."""
    session = build_session(DataOptions(), TrainConfig())
    report = check_file(session, str(STUDENTS / "memoises_by_x.py"), 2, 20.0)
    assert report.status == "wrong" and report.comparison is not None
    assert report.comparison.mismatch is not None
    assert report.comparison.mismatch.kind == "state"


def test_default_samples_cover_two_epochs_when_cheap() -> None:
    assert default_samples(200) == 400
    assert default_samples(120) == 240
    assert default_samples(500) == 1000
    assert default_samples(501) == 501
    assert default_samples(10_000) == 10_000


def test_samples_are_counted_from_one_in_text_and_json() -> None:
    """Past the first epoch the text adds the app's 'sample i/N'; JSON keeps 0-based indexes
    under names that say so."""
    from backprop_tui.check.report import _where_json
    from backprop_tui.check.runner import SampleInfo

    first = SampleInfo(0, 0, 0, 0, 200)
    later = SampleInfo(200, 1, 0, 17, 200)
    assert first.text == "sample 1 (epoch 0, row 0)"
    assert later.text == "sample 201 (epoch 1, sample 1/200 of the epoch, row 17)"
    assert _where_json(later) == {"sample": 201, "sample_index": 200, "epoch": 1,
                                  "sample_in_epoch": 1, "samples_per_epoch": 200, "row": 17}
