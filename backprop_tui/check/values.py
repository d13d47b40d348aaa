"""A student's returned values as the checker reads them: numbers, or a few words.

Whatever ``forward_backward_pass`` returns is turned into float64 arrays where it
is numbers, and into short words where it is not (None, a TODO ``...``, text), so
that it can cross to the checker as data (:mod:`.wire`) and be compared safely.
Every conversion is bounded: an array with more numbers than the checker reads is
named by its shape, and a description never prints more than a few characters,
whatever the object's size.
"""

from __future__ import annotations

import math
import reprlib

import numpy as np

MIN_ELEMENTS = 10_000  # numbers of one returned array that are always read


def max_elements(args: tuple[object, ...]) -> int:
    """Numbers one returned array may hold: four times the largest argument, at least 10,000.

    A larger array is described in words (its shape) instead of being compared,
    so a student's (20000, 20000) never crosses to the checker; the worker and
    the checker compute the same bound from the same arguments.
    """
    sizes = [int(a.size) for a in args if isinstance(a, np.ndarray)]
    return max(MIN_ELEMENTS, 4 * max(sizes, default=0))


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 40


def describe(value: object) -> str:
    """Short words for a returned object that is not numbers (its repr bounded, however big)."""
    if value is None:
        return "None"
    if value is Ellipsis:
        return "... (Ellipsis, a TODO left in place)"
    text = _SHORT.repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


class TooLarge(str):
    """Words for an array with more numbers than the checker reads, keeping its ``shape``:
    a wrong shape is then judged as one (by shape, without its values)."""

    shape: tuple[int, ...]
    elements: int

    def __new__(cls, shape: tuple[int, ...], elements: int) -> TooLarge:
        text = (f"an array of shape {tuple(shape)} ({math.prod(shape):,} numbers, more than "
                f"the {elements:,} the checker reads)")
        obj = super().__new__(cls, text)
        obj.shape, obj.elements = tuple(shape), elements
        return obj


def too_large(shape: tuple[int, ...], elements: int) -> str:
    """Words for an array with more numbers than the checker reads: its shape, not its values."""
    return TooLarge(shape, elements)


def as_numbers(value: object, elements: int = MIN_ELEMENTS) -> np.ndarray | str:
    """A float array of ``value``, or a description when it is not numbers or far too many."""
    if value is None or value is Ellipsis or isinstance(value, (str, bytes)):
        return describe(value)
    if isinstance(value, np.ndarray) and value.size > elements:
        return too_large(value.shape, elements)
    try:
        if np.iscomplexobj(value):
            return describe(value)
        array = np.array(value, dtype=float)
    except Exception:  # ragged lists, text, an object with a broken __array__ or __float__
        return describe(value)
    return too_large(array.shape, elements) if array.size > elements else array


def summarize(result: object) -> str:
    """What came back, in words, for the 'returned ...' line of a wrong-count report."""
    if isinstance(result, (tuple, list)):
        kind = type(result).__name__
        return f"a {kind} of {len(result)} value{'s' if len(result) != 1 else ''}"
    if isinstance(result, np.ndarray):
        return f"one array of shape {result.shape}"
    return describe(result)
