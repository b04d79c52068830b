"""The one semantics table (design rule 2, docs/design.md).

``SEMANTICS[op](node, values)`` is the reference meaning of ``op`` in NumPy terms: it computes
the node's result from its inputs' values (NumPy arrays), exactly as NumPy would.  It drives
the eager/small-array path and the engine's reference executor, and it is the oracle that
compiled backends are tested against.

Parameter conventions (``node.params``):
  args      elementwise / where / clip: the operand template, a tuple whose ``ARG`` entries
            are filled from ``values`` in order and whose other entries are Python/NumPy
            scalar constants (kept as given, so NEP 50 weak-scalar rules apply unchanged).
  where     True when the last input is a ``where=`` mask (ufuncs and reductions).
  kwargs    keyword arguments passed to NumPy unchanged (dtype, casting, axis, keepdims, ...).
  index     which output of a two-output ufunc (divmod, frexp, modf).
  generate  RANDOM: ``generate(out, start, count)`` fills ``out`` (contiguous, ``count``
            elements) with elements ``start ..`` of the flattened draws (a stream snapshot
            taken at record time; the generator itself has already moved past them).
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from .node import Node
from .ops import MULTI_OUT, UFUNC_OF, Op
from .reductions import REDUCTIONS


class _Arg:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ARG"

    def __reduce__(self) -> str:
        return "ARG"


ARG = _Arg()


def fill_args(template: tuple, values: list) -> list:
    it = iter(values)
    return [next(it) if a is ARG else a for a in template]


def _ufunc(node: Node, values: list) -> Any:
    params = node.params
    kwargs = params.get("kwargs") or {}
    if params.get("where"):
        kwargs = dict(kwargs, where=values[-1])
        values = values[:-1]
    result = UFUNC_OF[node.op](*fill_args(params["args"], values), **kwargs)
    if node.op in MULTI_OUT:
        result = result[params["index"]]
    return result


def _cast(node: Node, values: list) -> np.ndarray:
    if values[0].dtype.kind == "c" and node.dtype.kind != "c":
        with warnings.catch_warnings():  # (warned when the cast was recorded)
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            return values[0].astype(node.dtype, casting="unsafe")
    return values[0].astype(node.dtype, casting="unsafe")


def _copy(node: Node, values: list) -> np.ndarray:
    return np.array(values[0], copy=True, order=node.params.get("order", "K"))


def _where(node: Node, values: list) -> np.ndarray:
    return np.where(*fill_args(node.params["args"], values))


def _clip(node: Node, values: list) -> np.ndarray:
    a, lo, hi = fill_args(node.params["args"], values)
    return np.clip(a, lo, hi, **(node.params.get("kwargs") or {}))


def _full(node: Node, values: list) -> np.ndarray:
    return np.full(node.shape, node.params["fill"], dtype=node.dtype)


def _arange(node: Node, values: list) -> np.ndarray:
    p = node.params
    return np.arange(p["start"], p["stop"], p["step"], dtype=node.dtype)


def _linspace(node: Node, values: list) -> np.ndarray:
    return np.linspace(**node.params["kwargs"])


def _random(node: Node, values: list) -> np.ndarray:
    out = np.empty(node.shape, dtype=node.dtype)
    node.params["generate"](out.reshape(-1), 0, out.size)
    return out


def _eye(node: Node, values: list) -> np.ndarray:
    p = node.params
    return np.eye(p["N"], p["M"], p["k"], dtype=node.dtype)


_REDUCERS: dict[Op, Callable] = {op: s.numpy for op, s in REDUCTIONS.items()}


def _reduce(node: Node, values: list) -> Any:
    kwargs = node.params["kwargs"]
    if node.params.get("where"):
        kwargs = dict(kwargs, where=values[1])
    return _REDUCERS[node.op](values[0], **kwargs)


def _slice(node: Node, values: list) -> np.ndarray:
    return values[0][node.params["key"]]


def _reshape(node: Node, values: list) -> np.ndarray:
    return np.reshape(values[0], node.shape)


def _transpose(node: Node, values: list) -> np.ndarray:
    return np.transpose(values[0], node.params["axes"])


def _broadcast_to(node: Node, values: list) -> np.ndarray:
    return np.broadcast_to(values[0], node.shape)


def _real(node: Node, values: list) -> np.ndarray:
    return values[0].real


def _imag(node: Node, values: list) -> np.ndarray:
    return values[0].imag


def _concatenate(node: Node, values: list) -> np.ndarray:
    return np.concatenate(values, **node.params["kwargs"])


def _opaque(node: Node, values: list) -> Any:
    return node.params["fn"](*values)


def _buffer(node: Node, values: list) -> np.ndarray:
    raise AssertionError("a BUFFER node is always realized")


SEMANTICS: dict[Op, Callable[[Node, list], Any]] = {op: _ufunc for op in UFUNC_OF}
SEMANTICS.update({
    Op.BUFFER: _buffer, Op.FULL: _full, Op.ARANGE: _arange, Op.LINSPACE: _linspace,
    Op.EYE: _eye, Op.RANDOM: _random, Op.CAST: _cast, Op.COPY: _copy, Op.WHERE: _where, Op.CLIP: _clip,
    Op.SLICE: _slice, Op.RESHAPE: _reshape, Op.TRANSPOSE: _transpose,
    Op.BROADCAST_TO: _broadcast_to, Op.REAL: _real, Op.IMAG: _imag, Op.CONCATENATE: _concatenate, Op.OPAQUE: _opaque,
})
SEMANTICS.update({op: _reduce for op in _REDUCERS})

assert set(SEMANTICS) == set(Op), "every Op needs exactly one semantics entry"


def evaluate(node: Node, values: list) -> np.ndarray:
    """Compute ``node`` from its inputs' values; always returns an ndarray of node's shape."""
    result = SEMANTICS[node.op](node, values)
    if not isinstance(result, np.ndarray):
        result = np.asarray(result)
    return result
