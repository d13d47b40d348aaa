"""The checker's channel to the student's process: framed JSON, data only, every size capped.

The student's code runs in the worker process and can reach anything the worker
can, its pipes included (through ``gc``, ``/proc/self/fd`` or plain file
descriptor numbers). Whatever arrives from that pipe is therefore treated as
hostile data: it is never unpickled (a pickle can run code in the reader), a
frame larger than the cap is refused before it is read, JSON is parsed by the
standard library, and every field is checked for type, length and shape before
a :class:`~.loader.CallResult` is built from it. A frame that fails any check
is a :class:`WireError`: the checker says the channel was tampered with.

A frame is ``BPTW`` + 4-byte big-endian length + UTF-8 JSON. Arrays travel as
``{"a": [dtype, shape, base64 of the raw little-endian bytes]}`` so that every
bit arrives as it was computed (and nan, inf and -0.0 too). Only float64 arrays
are accepted from the worker: the loader has already turned every returned value
into float64 or into words.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import struct
from typing import BinaryIO

import numpy as np

from .loader import PARAMETERS, CallResult, Frame, Raised
from .values import TooLarge

MAGIC = b"BPTW"
HEADER = struct.Struct(">4sI")
MAX_TEXT = 2000  # characters of one string (a message, a description, a line of source)
MAX_VALUES = 64  # returned values: the lab returns 6; a wrong count is reported, not read whole
MAX_FRAMES = 16  # traceback frames: loader.frames_in folds longer ones to 7
ALLOWED_DTYPES = ("<f8",)


class WireError(Exception):
    """A frame that is not what the protocol allows; the message says what was wrong."""


def frame_cap(elements: int) -> int:
    """Bytes one frame may hold when arrays have at most ``elements`` numbers each."""
    per_array = 8 * elements * 4 // 3 + 64  # base64 of the bytes, and the array's header
    return 2 * MAX_VALUES * per_array + 64 * 1024 + 8 * MAX_TEXT * (MAX_FRAMES + MAX_VALUES)


def encode_array(a: np.ndarray) -> dict[str, object]:
    arr = np.array(a, dtype="<f8", order="C")  # not ascontiguousarray: it makes () into (1,)
    return {"a": ["<f8", list(arr.shape), base64.b64encode(arr.tobytes()).decode("ascii")]}


def decode_array(obj: object, elements: int) -> np.ndarray:
    """An array from its JSON form, after checking dtype, shape and size."""
    if not isinstance(obj, dict) or set(obj) != {"a"}:
        raise WireError("an array is not in the array form")
    spec = obj["a"]
    if not isinstance(spec, list) or len(spec) != 3:
        raise WireError("an array's header is malformed")
    dtype, shape, data = spec
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"an array of dtype {str(dtype)[:20]!r} (only float64 is read)")
    if not isinstance(shape, list) or len(shape) > 8 or not all(
            type(n) is int and 0 <= n <= elements for n in shape):
        raise WireError("an array's shape is malformed")
    count = math.prod(shape)
    if count > elements:
        raise WireError(f"an array of {count} numbers (at most {elements} are read)")
    if not isinstance(data, str) or len(data) > 8 * count * 4 // 3 + 8:
        raise WireError("an array's data does not fit its shape")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise WireError("an array's data is not base64") from None
    if len(raw) != 8 * count:
        raise WireError("an array's data does not fit its shape")
    return np.frombuffer(raw, dtype="<f8").reshape(tuple(shape)).astype(float)


def _text(obj: object) -> str:
    if not isinstance(obj, str) or len(obj) > MAX_TEXT:
        raise WireError("a text field is not a string of at most 2000 characters")
    return obj


def encode_result(result: CallResult) -> dict[str, object]:
    raised = None if result.raised is None else {
        "type": result.raised.type_name, "message": result.raised.message,
        "frames": [[f.line, f.function, f.source] for f in result.raised.frames]}
    return {
        "values": None if result.values is None else [
            {"big": [list(v.shape), v.elements]} if isinstance(v, TooLarge)
            else v if isinstance(v, str) else encode_array(v) for v in result.values],
        "returned": result.returned,
        "raised": raised,
        "mutated": [[name, encode_array(v)] for name, v in result.mutated],
        "dtypes": list(result.dtypes),
    }


def decode_result(obj: object, elements: int) -> CallResult:
    """A CallResult from the worker's JSON, every field checked (WireError otherwise)."""
    if not isinstance(obj, dict) or set(obj) != {"values", "returned", "raised", "mutated",
                                                 "dtypes"}:
        raise WireError("a result does not have the result's fields")
    values = obj["values"]
    if values is not None:
        if not isinstance(values, list) or len(values) > MAX_VALUES:
            raise WireError("a result's values are not a list of at most 64")
        values = tuple(v if isinstance(v, str) and len(v) <= MAX_TEXT
                       else _decode_big(v) if isinstance(v, dict) and "big" in v
                       else decode_array(v, elements) for v in values)
    mutated = obj["mutated"]
    if not isinstance(mutated, list) or len(mutated) > len(PARAMETERS):
        raise WireError("a result's changed arguments are malformed")
    changed = []
    for item in mutated:
        if not isinstance(item, list) or len(item) != 2 or item[0] not in PARAMETERS:
            raise WireError("a changed argument is malformed")
        changed.append((item[0], decode_array(item[1], elements)))
    dtypes = obj["dtypes"]
    if not isinstance(dtypes, list) or len(dtypes) > MAX_VALUES:
        raise WireError("a result's dtypes are malformed")
    return CallResult(values, _text(obj["returned"]), _decode_raised(obj["raised"]),
                      tuple(changed), tuple(_text(d) for d in dtypes))


def _decode_big(obj: dict) -> TooLarge:
    """A too-large array's shape and the bound it broke (its values never travel)."""
    spec = obj.get("big")
    if set(obj) != {"big"} or not isinstance(spec, list) or len(spec) != 2:
        raise WireError("a too-large array's description is malformed")
    shape, bound = spec
    if not isinstance(shape, list) or not 0 < len(shape) <= 8 or not all(
            type(n) is int and 0 <= n < 2**40 for n in shape) or type(bound) is not int:
        raise WireError("a too-large array's shape is malformed")
    return TooLarge(tuple(shape), bound)


def _decode_raised(obj: object) -> Raised | None:
    if obj is None:
        return None
    if not isinstance(obj, dict) or set(obj) != {"type", "message", "frames"}:
        raise WireError("an exception's fields are malformed")
    frames = obj["frames"]
    if not isinstance(frames, list) or len(frames) > MAX_FRAMES:
        raise WireError("an exception's traceback is malformed")
    out = []
    for f in frames:
        if not isinstance(f, list) or len(f) != 3 or type(f[0]) is not int:
            raise WireError("a traceback frame is malformed")
        out.append(Frame(f[0], _text(f[1]), _text(f[2])))
    return Raised(_text(obj["type"]), _text(obj["message"]), tuple(out))


def write(stream: BinaryIO, message: object) -> None:
    """One frame. ``allow_nan``: a float argument may be nan (the reader accepts it)."""
    body = json.dumps(message, allow_nan=True, separators=(",", ":")).encode()
    stream.write(HEADER.pack(MAGIC, len(body)) + body)
    stream.flush()


def read(stream: BinaryIO, cap: int) -> object:
    """The next frame's JSON value; EOFError at a clean end, WireError for anything else."""
    head = stream.read(HEADER.size)
    if not head:
        raise EOFError
    if len(head) < HEADER.size:
        raise WireError("the channel ended inside a frame")
    magic, size = HEADER.unpack(head)
    if magic != MAGIC:
        raise WireError("bytes that are not a frame of the protocol")
    if size > cap:
        raise WireError(f"a frame of {size} bytes (at most {cap} are read)")
    body = stream.read(size)
    if len(body) < size:
        raise WireError("the channel ended inside a frame")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WireError("a frame that is not JSON") from None


def encode_args(args: tuple[object, ...]) -> list[object]:
    """The call's arguments: arrays, and the target as a number (nan and inf included)."""
    return [encode_array(a) if isinstance(a, np.ndarray) else {"s": float(a)} for a in args]


def decode_args(obj: object) -> tuple[object, ...]:
    """What the worker reads from the checker (trusted, but checked all the same)."""
    if not isinstance(obj, list) or len(obj) != len(PARAMETERS):
        raise WireError("a call's arguments are malformed")
    out: list[object] = []
    for item in obj:
        if isinstance(item, dict) and set(item) == {"s"} and isinstance(item["s"], float | int):
            out.append(np.float64(item["s"]))
        else:
            out.append(decode_array(item, 2**31))
    return tuple(out)
