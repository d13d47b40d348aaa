"""The check's report, as text for a classroom screen and as one JSON document.

The text is a summary, not a log: for 200 matching samples one line says so;
for a failure, one block shows the sample, the quantity, expected and got as
small matrices, the finite-difference value, and the explanation in words.
The JSON carries the same facts for tools and tests.
"""

from __future__ import annotations

import math
import re
import textwrap

import numpy as np

from .compare import CHECK_ORDER, TOLERANCE, QuantityCheck
from .loader import RETURNS
from .runner import CheckReport

WIDTH = 88
NBSP = "\u00a0"  # textwrap does not break here


def matrix(a: np.ndarray, indent: int) -> str:
    """A small array in 6 significant digits, columns aligned, later rows under the first.

    numpy's own printing picks fixed or scientific notation for the whole array, which
    rounds gradients of 1e-5 next to ones of 1e-2 to a digit or two; students compare
    these numbers with their own, so each entry keeps its digits.
    """
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):.6g}"
    if arr.ndim > 2:
        return np.array2string(arr, precision=6).replace("\n", "\n" + " " * indent)
    rows = arr.reshape(-1, arr.shape[-1]) if arr.ndim == 2 else arr.reshape(1, -1)
    cells = [[f"{v:.6g}" for v in row] for row in rows]
    width = max((len(c) for row in cells for c in row), default=0)
    lines = ["  ".join(c.rjust(width) for c in row) for row in cells]
    if arr.ndim == 1:
        return f"[{lines[0]}]"
    body = [("[[" if i == 0 else " [") + line + ("]]" if i == len(lines) - 1 else "]")
            for i, line in enumerate(lines)]
    return ("\n" + " " * indent).join(body)


def _row(label: str, a: np.ndarray | None, note: str = "") -> str:
    head = f"  {label:<9}"
    if a is None:
        return head + note
    head += f"{str(tuple(a.shape)):<8} "
    return head + matrix(a, len(head)) + (f"   {note}" if note else "")


def _bands(quantities: dict[str, QuantityCheck]) -> str:
    return ", ".join(f"{k} {quantities[k].band}" for k in CHECK_ORDER)


def _wrap(prefix: str, text: str) -> str:
    """Wrap, but never inside a short parenthesis: a shape like (1, 2) stays on one line."""
    glued = re.sub(r"\([^()]{0,24}\)", lambda m: m.group(0).replace(" ", NBSP), text)
    wrapped = textwrap.fill(glued, WIDTH, initial_indent=prefix,
                            subsequent_indent=" " * len(prefix))
    return wrapped.replace(NBSP, " ")


def format_text(report: CheckReport, header: str) -> str:
    lines = [header]
    s = report.sample
    where = "" if s is None else (f"sample {s.index} (epoch {s.epoch}, training row {s.row})")
    if report.status == "ok":
        lines.append(report.message)
        if report.max_errors:
            worst = max(report.max_errors.values())
            line = f"largest relative error vs the engine: {worst:.1e}"
            if report.max_numeric_errors:
                line += (f"; gradients vs finite differences: "
                         f"{max(report.max_numeric_errors.values()):.1e} "
                         "(those are good to about 1e-5)")
            lines.append(line)
    elif report.status in ("timeout", "crashed"):
        lines.append(_wrap("STOPPED: ", report.message))
        if s is not None:
            lines.append(f"{report.samples_checked} sample(s) matched before {where}")
    else:
        comp = report.comparison
        assert comp is not None and comp.mismatch is not None
        m = comp.mismatch
        lines.append(f"MISMATCH at {where}, after {report.samples_matched} matching "
                     f"sample{'s' if report.samples_matched != 1 else ''}")
        q = comp.mismatched
        if q is None:
            lines.append(f"  returned: {comp.returned}")
            if m.raised is not None:
                lines.append(f"  raised:   {m.raised.headline}")
                for f in m.raised.frames:
                    lines.append(f"    {report.path}, line {f.line}, in {f.function}")
                    if f.source:
                        lines.append(f"      {f.source}")
        else:
            lines.append(f"quantity {q.name}: {_kind_words(m.kind)}")
            lines.append(_row("expected", q.expected, "(engine)"))
            lines.append(_row("got", q.got, "" if q.got is not None else q.got_text or ""))
            if q.numeric is not None:
                lines.append(_row("numeric", q.numeric, "(central finite differences)"))
            if q.error is not None:
                err = f"  relative error: {q.error:.2e} vs the engine"
                if q.numeric_error is not None:
                    err += f", {q.numeric_error:.2e} vs finite differences"
                lines.append(err + f" (right: <= {TOLERANCE:g})")
            lines.append(f"  this sample: {_bands(comp.quantities)}")
        lines.append(_wrap("why: ", m.explanation))
    if report.engine_note:
        lines.append(f"note: {report.engine_note}")
    return "\n".join(lines)


def _kind_words(kind: str) -> str:
    return {"shape": "wrong shape", "value": "wrong values", "missing": "not returned as numbers",
            "non-finite": "nan or inf"}.get(kind, kind)


def clean(value: object) -> object:
    """JSON-safe: arrays to nested lists, nan/inf to the strings 'nan', 'inf', '-inf'."""
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else ("nan" if math.isnan(f) else ("inf" if f > 0 else "-inf"))
    if isinstance(value, np.integer):
        return int(value)
    return value


def _quantity_json(q: QuantityCheck) -> dict[str, object]:
    return {
        "band": q.band,
        "shape_ok": q.shape_ok,
        "relative_error": q.error,
        "numeric_relative_error": q.numeric_error,
        "expected": q.expected,
        "expected_shape": list(q.expected.shape),
        "got": q.got,
        "got_shape": None if q.got is None else list(q.got.shape),
        "got_text": q.got_text,
        "numeric": q.numeric,
    }


def to_json(report: CheckReport, context: dict[str, object]) -> dict[str, object]:
    s = report.sample
    first: dict[str, object] | None = None
    explanation: str | None = None
    if s is not None:
        first = {"sample": s.index, "epoch": s.epoch, "position": s.position, "row": s.row,
                 "quantity": None, "kind": report.status}
        explanation = report.message
    comp = report.comparison
    if comp is not None and comp.mismatch is not None and first is not None:
        m = comp.mismatch
        explanation = m.explanation
        first.update({"quantity": m.quantity, "kind": m.kind, "returned": comp.returned,
                      "quantities": {k: _quantity_json(comp.quantities[k]) for k in RETURNS}})
        if m.quantity is not None:
            first.update(_quantity_json(comp.quantities[m.quantity]))
        if m.raised is not None:
            first["exception"] = {
                "type": m.raised.type_name, "message": m.raised.message,
                "frames": [{"file": report.path, "line": f.line, "function": f.function,
                            "source": f.source} for f in m.raised.frames]}
    if report.status in ("timeout", "crashed") and s is None:
        explanation = report.message
    return clean({
        "status": report.status,
        "file": report.path,
        "message": report.message,
        "samples_requested": report.samples_requested,
        "samples_checked": report.samples_checked,
        "samples_matched": report.samples_matched,
        "tolerance": TOLERANCE,
        "timeout": report.timeout,
        "first_mismatch": first,
        "explanation": explanation,
        "max_relative_error": report.max_errors,
        "max_numeric_relative_error": report.max_numeric_errors,
        "engine_note": report.engine_note,
        **context,
    })
