"""Numbers a student checks by hand: 3 significant digits at least for any magnitude (4
in a line of words), the sign always shown, and an update's old and new values reading
differently whenever they differ (issue 19)."""

from __future__ import annotations

import asyncio
import re

import numpy as np
import pytest

from backprop_tui.app.render import CELL, fmt, fmt_all, number_format, pair_text, scalar_text
from backprop_tui.app.widgets.gradcheck import error_lines, error_text
from backprop_tui.core.network.gradcheck import GradCheck
from backprop_tui.core.network.phases import PHASE_INDEX

from .conftest import make_app

MAGNITUDES = [s * m * 10.0 ** k for k in range(-300, 300, 7) for m in (1.0, 1.234567, 9.87654)
              for s in (1, -1)]


def significant(text: str) -> int:
    """Significant digits a shown number carries (trailing zeros count: they were computed)."""
    mantissa = text.strip().lstrip("+-").split("e")[0].replace(".", "")
    return len(mantissa.lstrip("0"))


@pytest.mark.parametrize("v", MAGNITUDES)
def test_every_magnitude_keeps_three_significant_digits_and_its_sign(v: float) -> None:
    cell = fmt(v)
    assert significant(cell) >= 3 and cell.strip()[0] == ("+" if v > 0 else "-"), cell
    assert float(cell) == pytest.approx(v, rel=5e-3)
    words = scalar_text(v)
    assert significant(words) >= 4 and (words[0] == "-") == (v < 0), words
    if -10 < np.log10(abs(v)) < 4:
        assert len(cell) == CELL  # the diagram's boxes hold it


@pytest.mark.parametrize("values", [[0.1965, 0.0035], [0.0201, 0.0004], [5.0e-3, 9.0e-5],
                                    [12.5, -0.03], [999.99, 0.5], [-3e-7, 2e-2, 1.0]])
def test_every_entry_of_an_array_keeps_three_significant_digits(values: list[float]) -> None:
    cells = fmt_all(values)
    assert all(significant(c) >= 3 for c in cells), cells
    assert len({c.endswith("e") or "e" in c for c in cells}) == 1  # one format per array
    assert all(float(c) == pytest.approx(v, rel=5e-3) for c, v in zip(cells, values, strict=True))


def test_the_lab_issue_numbers_read_with_their_digits() -> None:
    assert fmt(-1.3e-3).strip() == "-1.30e-3" and fmt(9.0e-5).strip() == "+9.00e-5"
    assert scalar_text(5.0e-3) == "5.000e-3" and scalar_text(-0.2509) == "-0.25090"
    assert number_format([0.5, 0.0004]).endswith("e")  # 0.0004 would read 0.00040


@pytest.mark.parametrize("old,new", [(-0.1035, -0.1035 - 1.1e-5), (-0.1035, -0.1035 - 1e-9),
                                     (2e-5, 2.0000001e-5), (0.5, 0.5000004), (1234.5, 1234.5001),
                                     (3.0, 3.0)])
def test_old_and_new_read_differently_when_they_differ(old: float, new: float) -> None:
    a, b = pair_text(old, new)
    assert (a != b) == (old != new), (a, b)
    assert float(a) == pytest.approx(old, rel=1e-3) and float(b) == pytest.approx(new, rel=1e-3)


NUMBER = r"-?\d+\.\d+(?:e[-+]\d+)?"


def test_chain_rule_and_update_lines_carry_the_digits() -> None:
    """The lab's dW1 chain rule, and a deeper network's update written one entry at a
    time (80x24: the tight form), read with 4 significant digits and a visible change."""
    async def go():
        app = make_app()
        async with app.run_test(size=(200, 50)) as pilot:  # wide: ports hold old→new
            await pilot.press(*["n"] * PHASE_INDEX["dW1"])
            text = app.query_one("#equation").content.plain
            line = "[0,0]:" + next(t for t in text.splitlines() if "[0,0]:" in t).split(
                "[0,0]:")[1]
            v = app.session.values
            assert line.strip() == (f"[0,0]: {scalar_text(v['delta1'][0])} · "
                                    f"{scalar_text(v['x'][0])} = {scalar_text(v['dW1'][0, 0])}")
            numbers = re.findall(NUMBER, line)
            assert len(numbers) == 3 and all(significant(n) >= 4 for n in numbers), line
            await pilot.press("n")  # the update: the diagram's ports hold old→new
            plain = app.query_one("#network").content.plain
            pairs = re.findall(rf"([-+]{NUMBER[2:]})→([-+]{NUMBER[2:]})", plain)
            assert len(pairs) == 8 and all(a != b for a, b in pairs), pairs

        app = make_app(hidden=(4, 4), activation="tanh")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*["n"] * (len(app.session.net.phases) - 1))
            text = app.query_one("#equation").content.plain
            rows = [m for t in text.splitlines()
                    if (m := re.search(r"(W\d)\[0,0\]: (\S+) − .* = (\S+)$", t.rstrip()))]
            assert len(rows) == 3, text
            v = app.session.values
            for m in rows:
                name = m[1]
                old, new = pair_text(float(v[name][0, 0]), float(v[name + "_new"][0, 0]))
                assert (m[2], m[3]) == (old, new) and old != new

    asyncio.run(go())


def test_gradient_check_errors_line_up_under_the_values_with_three_digits() -> None:
    assert error_text(0.0123) == "1.23e-2"  # a wrong gradient's error, 3 digits
    analytic = np.array([[-1.26e-3, 4.52e-3, 2.33e-3]])
    check = GradCheck("W1", analytic, analytic, np.array([[1e-12, 0.0123, 5.0]]))
    values = fmt_all(analytic)
    errors = error_lines(check)[0].plain
    assert len(errors) == 1 + len(values) * (CELL + 1)  # same cells, same columns
