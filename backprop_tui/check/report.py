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

from .compare import CHECK_ORDER, TOLERANCE, QuantityCheck, SampleComparison
from .loader import RETURNS
from .names import APP_NAME, label
from .precision import digits_to_differ
from .runner import CheckReport, SampleInfo

WIDTH = 88
NBSP = "\u00a0"  # textwrap does not break here


EDGE = 3  # rows and columns shown at each end of a large array
JSON_ENTRIES = 10_000  # a returned array larger than this is described in the JSON, not listed


def _cut(n: int) -> list[int | None]:
    """Indices to show of n: all of a few, else EDGE at each end around a gap (None)."""
    return list(range(n)) if n <= 2 * EDGE + 1 else [*range(EDGE), None, *range(n - EDGE, n)]


def matrix(a: np.ndarray, indent: int, digits: int = 6) -> str:
    """A small array in ``digits`` significant digits, columns aligned, later rows under the first.

    numpy's own printing picks fixed or scientific notation for the whole array, which
    rounds gradients of 1e-5 next to ones of 1e-2 to a digit or two; students compare
    these numbers with their own, so each entry keeps its digits. A large array (a
    wrongly shaped gradient may have millions of entries) shows only its corners, so
    the report stays a few lines whatever the student returned.
    """
    arr = np.asarray(a)
    if arr.ndim == 0:
        return f"{float(arr):.{digits}g}"
    if arr.ndim > 2:
        return np.array2string(arr.astype(float, copy=False), precision=digits, threshold=50,
                               edgeitems=EDGE).replace("\n", "\n" + " " * indent)
    grid = arr.reshape(-1, arr.shape[-1]) if arr.ndim == 2 else arr.reshape(1, -1)
    rows, cols = _cut(grid.shape[0]), _cut(grid.shape[1])
    cells = [["..." if i is None or j is None else f"{float(grid[i, j]):.{digits}g}"
              for j in cols] for i in rows]
    width = max((len(c) for row in cells for c in row), default=0)
    lines = ["  ".join(c.rjust(width) for c in row) for row in cells]
    if arr.ndim == 1:
        return f"[{lines[0]}]"
    body = [("[[" if i == 0 else " [") + line + ("]]" if i == len(lines) - 1 else "]")
            for i, line in enumerate(lines)]
    return ("\n" + " " * indent).join(body)


def _row(name: str, a: np.ndarray | None, note: str = "", digits: int = 6) -> str:
    head = f"  {name:<9}"
    if a is None:
        return head + note
    head += f"{str(tuple(a.shape)):<8} "
    return head + matrix(a, len(head), digits) + (f"   {note}" if note else "")


def _bands(quantities: dict[str, QuantityCheck]) -> str:
    return ", ".join(f"{label(k)} {quantities[k].band}" for k in CHECK_ORDER)


def _wrap(prefix: str, text: str) -> str:
    """Wrap, but never inside a short parenthesis: a shape like (1, 2) stays on one line."""
    glued = re.sub(r"\([^()]{0,24}\)", lambda m: m.group(0).replace(" ", NBSP), text)
    wrapped = textwrap.fill(glued, WIDTH, initial_indent=prefix,
                            subsequent_indent=" " * len(prefix))
    return wrapped.replace(NBSP, " ")


def format_text(report: CheckReport, header: str) -> str:
    lines = [header]
    s = report.sample
    where = "" if s is None else s.text
    if report.status == "ok":
        lines.append(report.message)
        if report.max_errors:
            worst = max(report.max_errors.values())
            line = f"largest relative error vs the engine's exact values: {worst:.1e}"
            if report.max_numeric_errors:
                worst_fd = max(report.max_numeric_errors.values())
                line += f"; gradients vs finite differences: {worst_fd:.1e}"
                if worst_fd <= TOLERANCE:
                    line += " (within the finite differences' own error)"
            lines.append(line)
        lines += [_wrap("note: ", n) for n in report.notes]
    elif report.status in ("timeout", "crashed", "memory"):
        lines.append(_wrap("STOPPED: ", report.message))
        if s is not None:
            lines.append(f"{report.samples_matched} sample(s) matched before {where}")
    else:
        comp = report.comparison
        assert comp is not None and comp.mismatch is not None
        lines += _mismatch_lines(report, comp, where)
    if report.engine_note:
        lines.append(f"note: {report.engine_note}")
    return "\n".join(lines)


def _mismatch_lines(report: CheckReport, comp: SampleComparison, where: str) -> list[str]:
    m = comp.mismatch
    assert m is not None
    lines = [f"MISMATCH at {where}, after {report.samples_matched} matching "
             f"sample{'s' if report.samples_matched != 1 else ''}"]
    q = comp.mismatched
    if q is None:
        if m.kind in ("mutated", "state"):
            lines.append(f"  {_kind_words(m.kind)}")
            lines.append(f"  this sample: {_bands(comp.quantities)}")
        else:
            lines.append(f"  returned: {comp.returned}")
        if m.raised is not None:
            lines.append(f"  raised:   {m.raised.headline}")
            for f in m.raised.frames:
                if f.line == 0:  # the fold of a long traceback: "... N repeated frames ..."
                    lines.append(f"    {f.function}")
                    continue
                lines.append(f"    {report.path}, line {f.line}, in {f.function}")
                if f.source:
                    lines.append(f"      {f.source}")
    else:
        lines.append(f"quantity {q.label}: {_kind_words(m.kind)}")
        digits = 6
        if q.value is not None:
            digits = digits_to_differ(q.expected, q.value)
        lines.append(_row("expected", q.expected, "(engine)", digits))
        lines.append(_row("got", q.got, "" if q.got is not None else q.got_text or "", digits))
        if q.numeric is not None:
            lines.append(_row("numeric", q.numeric, "(central finite differences)", digits))
        if q.error is not None:
            err = f"  relative error: {q.error:.2e} vs the engine's exact values"
            if q.numeric_error is not None:
                err += f", {q.numeric_error:.2e} vs finite differences"
            lines.append(err + f" (right: <= {TOLERANCE:g})")
        lines.append(f"  this sample: {_bands(comp.quantities)}")
    lines.append(_wrap("why: ", m.explanation))
    if comp.origin is not None:
        lines.append(_wrap("where: ", comp.origin.short or comp.origin.text))
    return lines


def _kind_words(kind: str) -> str:
    return {"shape": "wrong shape", "value": "wrong values", "missing": "not returned as numbers",
            "non-finite": "nan or inf", "precision": "float32 precision, not float64",
            "approximate": "approximate values, not exact", "updated": "updated weights, not "
            "gradients",
            "mutated": "changes its arguments in place",
            "state": "keeps state between calls"}.get(kind, kind)


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
    got, got_text = q.got, q.got_text
    if got is not None and got.size > JSON_ENTRIES:  # one document of a few KB, not 100s of MB
        got, got_text = None, (f"array of shape {got.shape} ({got.size} entries), too large "
                               "to include")
    return {
        "app_name": APP_NAME.get(q.name, q.name),
        "band": q.band,
        "shape_ok": q.shape_ok,
        "relative_error": q.error,
        "numeric_relative_error": q.numeric_error,
        "expected": q.expected,
        "expected_shape": list(q.expected.shape),
        "got": got,
        "got_shape": None if q.got is None else list(q.got.shape),
        "got_text": got_text,
        "numeric": q.numeric,
        "note": q.note,
    }


def _where_json(s: SampleInfo) -> dict[str, object]:
    """Samples counted from 1 as people and the app count them; the 0-based index beside."""
    return {"sample": s.number, "sample_index": s.index, "epoch": s.epoch,
            "sample_in_epoch": s.position + 1, "samples_per_epoch": s.per_epoch, "row": s.row}


def to_json(report: CheckReport, context: dict[str, object]) -> dict[str, object]:
    s = report.sample
    first: dict[str, object] | None = None
    explanation: str | None = None
    if s is not None:
        first = {**_where_json(s), "quantity": None, "kind": report.status}
        explanation = report.message
    comp = report.comparison
    if comp is not None and comp.mismatch is not None and first is not None:
        m = comp.mismatch
        explanation = m.explanation
        first.update({"quantity": m.quantity, "kind": m.kind, "returned": comp.returned,
                      "quantity_label": None if m.quantity is None else label(m.quantity),
                      "quantities": {k: _quantity_json(comp.quantities[k]) for k in RETURNS},
                      "deltas": {k: {"band": d.band, "value": d.value, "expected": d.expected,
                                     "relative_error": d.error, "derived_from": d.source}
                                 for k, d in comp.deltas.items()},
                      "origin": None if comp.origin is None else {
                          "phase": comp.origin.phase, "text": comp.origin.text,
                          "starts_at_delta2": comp.origin.starts_at_delta2}})
        if m.quantity is not None:
            first.update(_quantity_json(comp.quantities[m.quantity]))
        if m.raised is not None:
            first["exception"] = {
                "type": m.raised.type_name, "message": m.raised.message,
                "frames": [{"file": report.path, "line": f.line, "function": f.function,
                            "source": f.source} for f in m.raised.frames]}
    if report.status in ("timeout", "crashed", "memory") and s is None:
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
        "notes": report.notes,
        **context,
    })
