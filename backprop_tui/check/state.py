"""What a function that changes its arguments, or remembers earlier calls, does in the lab's loop.

The lab's loop hands ``forward_backward_pass`` its live training state: W1..b2 are
the arrays it then updates with ``W1 = W1 - lr * dW1``, and x is a view into the
inputs array (``zip(inputs, targets)`` yields rows, not copies). A function that
writes into them changes training without any wrong number in its return value;
one that remembers earlier calls (a global, a cache) returns numbers for a sample
it is no longer looking at. Both pass a check that only compares return values,
so the checker looks for them explicitly and says what they do.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

GRADIENT_OF = {"W1": "dW1", "b1": "db1", "W2": "dW2", "b2": "db2"}


def _entry(before: np.ndarray, after: np.ndarray) -> str:
    if before.shape != after.shape:
        return f"its shape went from {before.shape} to {after.shape}"
    diff = np.argwhere(~np.isclose(before, after, rtol=0, atol=0, equal_nan=True))
    idx = tuple(int(i) for i in diff[0]) if len(diff) else ()
    at = f"[{', '.join(map(str, idx))}]" if idx else ""
    return f"entry {at} went from {float(before[idx]):.6g} to {float(after[idx]):.6g}"


def _step(before: np.ndarray, after: np.ndarray, grad: np.ndarray | None) -> float | None:
    """c > 0 when after == before - c * grad: an SGD step taken inside the function."""
    if grad is None or grad.shape != before.shape or before.shape != after.shape:
        return None
    g, d = grad.reshape(-1), (before - after).reshape(-1)
    if not np.any(g):
        return None
    c = float(np.dot(g, d) / np.dot(g, g))
    ok = c > 0 and np.allclose(d, c * g, rtol=1e-6, atol=1e-12 * max(1.0, float(np.max(
        np.abs(before)))))
    return c if ok else None


def explain_mutation(mutated: tuple[tuple[str, np.ndarray], ...],
                     sent: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> str:
    """Which arguments the call changed in place, and what that does in the lab's loop."""
    steps, other, parts = [], [], []
    for name, after in mutated:
        before = np.asarray(sent[name], dtype=float)
        if name == "x":
            parts.append(f"your function changes x in place ({_entry(before, after)}). In the "
                         "lab's loop x is a row of the inputs array itself, so this edits the "
                         "training data: every later epoch trains on changed inputs.")
            continue
        grad = GRADIENT_OF.get(name)
        c = _step(before, after, grads.get(grad)) if grad else None
        if c is not None:
            steps.append((name, f"{name} -= {c:.4g} * {grad}"))
        else:
            other.append((name, _entry(before, after)))
    if steps:
        names = ", ".join(n for n, _ in steps)
        parts.append(f"your function updates {names} in place "
                     f"({'; '.join(t for _, t in steps)}). The lab's loop then does "
                     "W = W - lr * dW with the arrays your function already changed, so every "
                     "step updates them twice: training takes double steps, not the SGD you "
                     "meant.")
    for name, entry in other:
        parts.append(f"your function changes {name} in place ({entry}). In the lab's loop that "
                     f"array is the training state: the loop's own update of {name} starts "
                     "from your changed values.")
    return (" ".join(parts) + " Leave the arguments as they are: compute new arrays "
            "(W = W - ..., not W -= ...) and let the training loop do the update.")


def updated_weights(params: Mapping[str, np.ndarray], got: Mapping[str, np.ndarray],
                    engine: Mapping[str, np.ndarray], lr: float | None = None) -> str | None:
    """Words when every returned gradient is P − c·dP for the engine's dP, one c > 0 for all.

    A function that ends with its own SGD step returns updated weights where the
    gradients belong; read as gradients they look like a wrong delta, but no slip in
    the backward pass is to blame. ``lr`` is the session's learning rate, if known.
    """
    steps = []
    for pname, gname in GRADIENT_OF.items():
        value, before = got.get(gname), np.asarray(params[pname], dtype=float)
        if value is None or value.shape != before.shape:
            return None
        c = _step(before, np.asarray(value, dtype=float), np.asarray(engine[gname], dtype=float))
        if c is None:
            return None
        steps.append(c)
    c = steps[0]
    if any(abs(s - c) > 1e-6 * c for s in steps):
        return None
    eta = f"η = {c:.4g}"
    if lr is not None and abs(c - lr) <= 1e-6 * lr:
        eta += ", the session's learning rate"
    return (f"your gradients look like updated weights W − η dW ({eta}): your dW1 is "
            f"W1 − {c:.4g}·dW1, and db1, dW2, db2 are b1, W2, b2 after the same step. "
            "forward_backward_pass must return the gradients themselves; the training loop "
            "does the update W = W − lr·dW (return dW1, db1, dW2, db2, not the new weights).")


def explain_repeat(sample: str) -> str:
    return (f"called twice in a row with the arguments of {sample}, your function returned "
            "different values the second time: its result depends on something besides its "
            "arguments (a global variable it changes, a counter, a list that grows, random "
            "numbers). forward_backward_pass must depend on x, target, W1, b1, W2, b2 only.")


def explain_stale(sample: str, same_as_before: bool) -> str:
    """A result kept between calls. Keyed on x (the same answer again), it goes stale when a
    sample comes back, from the second epoch on; a value kept from the first call (another
    answer, for weights it no longer has) is stale from the second call on."""
    head = (f"called again with the x of {sample} but other weights, your function "
            "returned ")
    if same_as_before:
        return (head + "exactly what it returned before, as if the weights had not changed: "
                "it keeps results between calls (a cache keyed on x?). In the lab's loop a "
                "sample comes back once per epoch with weights changed since, so from the "
                "second epoch on every sample gets stale gradients. Compute everything from "
                "the arguments on each call.")
    return (head + "values for weights it is no longer given: it keeps results between "
            "calls (something from the first call kept in a global?). In the lab's loop the "
            "weights change after every sample, so from the second call on every sample "
            "gets gradients of stale weights. Compute everything from the arguments on each "
            "call.")


def explain_later_state(first: str, here: str, fresh_ok: bool | None) -> str:
    """A later sample fails although the first matched: the calls before it changed the answer."""
    if fresh_ok:
        return (f"{first} matched and {here} did not; called first thing in a fresh process, "
                f"your function gets {here} right. So it is the calls before that change its "
                "answer: it keeps state between calls (a global variable, a cache, an argument "
                "it keeps a reference to). Compute everything from the arguments on each call.")
    return (f"{first} matched and {here} did not, which points at state kept between calls "
            "(a global, a cache), though no known slip was ruled out for certain.")


def explain_ignored(names: list[str]) -> str:
    """Arguments whose change changes nothing the function returns."""
    listed = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + f" and {names[-1]}"
    one = len(names) == 1
    return (f"given another {listed}, your function returns exactly the same values: it "
            f"does not use {'that argument' if one else 'those arguments'}. Is it reading "
            f"{'a global' if one else 'globals'} of the same name (left over from a notebook) "
            "or a parameter spelled differently? Use the arguments the loop passes in.")
