"""The go-to key's places: read in the app's counting, reached exactly, bounded."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import lab_session

from backprop_tui.core.debugger.places import (
    MAX_AHEAD,
    Place,
    PlaceError,
    check_reachable,
    go_to,
    parse_place,
    updates_to_run,
)
from backprop_tui.core.network.phases import PHASE_INDEX, PHASES

N = 200


@pytest.mark.parametrize("text, update, phase", [
    ("0 1", 0, 0),
    ("3 17", 3 * N + 16, 0),
    ("3:17 dW2", 3 * N + 16, PHASE_INDEX["dW2"]),
    ("  2, 200 , 11 ", 2 * N + 199, len(PHASES) - 1),
    ("5", 5 * N, 0),
    ("1 1 pred", N, PHASE_INDEX["y_hat"]),
    ("1 1 grad_hidden", N, PHASE_INDEX["delta1"]),
])
def test_places_in_the_apps_counting(text: str, update: int, phase: int) -> None:
    place = parse_place(text, N)
    assert (place.update, place.phase) == (update, phase)
    assert place.describe().startswith(f"epoch {update // N}, sample {update % N + 1}/{N}")


@pytest.mark.parametrize("text, words", [
    ("", "type a place"),
    ("3 0", "samples 1 to 200"),
    ("3 201", "samples 1 to 200"),
    ("-1 3", "not a whole number"),
    ("x 3", "not a whole number"),
    ("3 1.5", "not a whole number"),
    ("3 1 dW3", "unknown phase 'dW3'"),
    ("3 1 12", "numbered 1 to 11"),
    ("1 2 3 4", "too many parts"),
    ("9" * 40, "too far"),
    ("1 " * 80, "at most 100 characters"),
    ("３ 1", "not a whole number"),  # a full-width digit is no ASCII number
])
def test_bad_places_say_why_in_one_line(text: str, words: str) -> None:
    with pytest.raises(PlaceError) as err:
        parse_place(text, N)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_go_to_ahead_runs_there_and_equals_stepping() -> None:
    s = lab_session()
    place = parse_place("2 50 dW1", N)
    assert updates_to_run(s, place) == place.update
    seen: list[tuple[int, int]] = []
    result = go_to(s, place, lambda done, total: seen.append((done, total)))
    assert (s.cursor.update, s.cursor.phase) == (place.update, place.phase)
    assert not result.cancelled and result.divergence is None
    assert seen and seen[-1] == (place.update, place.update)
    other = lab_session()
    for _ in range(place.update):
        other.next_sample()
    other.goto(place.update, place.phase)
    assert s.params.equals(other.params)
    assert np.array_equal(s.values["dW1"], other.values["dW1"])


def test_go_to_back_in_time_needs_no_run() -> None:
    s = lab_session()
    go_to(s, parse_place("3 1", N))
    place = parse_place("0 7 z2", N)
    assert updates_to_run(s, place) == 0
    go_to(s, place)
    assert (s.cursor.update, s.cursor.phase) == (6, PHASE_INDEX["z2"])


def test_cancelled_go_to_stops_at_a_sample_start() -> None:
    s = lab_session()
    polls = iter([False, False, True])
    result = go_to(s, parse_place("50 3 L", N), cancel=lambda: next(polls, True))
    assert result.cancelled
    assert s.cursor.phase == 0
    assert 0 < s.cursor.update < 50 * N
    assert s.timeline.head == s.cursor.update  # nothing ran after the cancel


def test_cannot_go_beyond_a_divergence() -> None:
    s = lab_session()
    place = Place(5, 0, N)
    s.timeline.divergence = type("D", (), {"update": 3, "epoch": 0, "position": 3})()
    with pytest.raises(PlaceError, match="diverged at epoch 0, sample 4"):
        check_reachable(s, place)


def test_too_far_ahead_is_refused() -> None:
    s = lab_session()
    with pytest.raises(PlaceError, match="at most 100,000,000"):
        check_reachable(s, Place(MAX_AHEAD + 1, 0, N))
