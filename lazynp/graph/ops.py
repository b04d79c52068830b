"""The one op vocabulary (design rule 1, docs/design.md).

Every layer (graph, fusion, both code generators) names operations with members of ``Op``;
no string op names travel between layers.  Group sets classify the members:

  SOURCE       leaves: a concrete buffer, or a generator of values (arange, full, eye, ...);
               RANDOM: draws of a random stream (``params["generate"](out, start, count)``
               writes elements ``start .. start+count`` of the flattened result into ``out``)
  UNARY        elementwise, one operand          (one member per NumPy ufunc with nin=1)
  BINARY       elementwise, two operands         (one member per NumPy ufunc with nin=2)
  TERNARY      elementwise, three operands       (where, clip)
  ELEMENTWISE  UNARY | BINARY | TERNARY | {CAST, COPY}
  MULTI_OUT    ufuncs with two outputs; the node's ``params["index"]`` picks the output
  REDUCE       reductions over axes
  MOVEMENT     views and shape changes (slice, reshape, transpose, broadcast) and joins
  OPAQUE       anything a kernel cannot look inside (future matmul, ...): a kernel boundary

``UFUNC_OF`` maps each ufunc member to the NumPy ufunc that defines it; ``OP_OF_UFUNC`` is the
inverse (aliases such as ``np.abs``/``np.absolute`` map to one member).
"""

from __future__ import annotations

import enum

import numpy as np

# NumPy 2.x elementwise ufuncs by canonical ``__name__`` (gufuncs such as matmul are not here).
_UNARY_UFUNCS = (
    "absolute", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "bitwise_count",
    "cbrt", "ceil", "conjugate", "cos", "cosh", "deg2rad", "degrees", "exp", "exp2", "expm1",
    "fabs", "floor", "invert", "isfinite", "isinf", "isnan", "isnat", "log", "log10", "log1p",
    "log2", "logical_not", "negative", "positive", "rad2deg", "radians", "reciprocal", "rint",
    "sign", "signbit", "sin", "sinh", "spacing", "sqrt", "square", "tan", "tanh", "trunc",
)
_BINARY_UFUNCS = (
    "add", "arctan2", "bitwise_and", "bitwise_or", "bitwise_xor", "copysign", "divide", "equal",
    "float_power", "floor_divide", "fmax", "fmin", "fmod", "gcd", "greater", "greater_equal",
    "heaviside", "hypot", "lcm", "ldexp", "left_shift", "less", "less_equal", "logaddexp",
    "logaddexp2", "logical_and", "logical_or", "logical_xor", "maximum", "minimum", "multiply",
    "nextafter", "not_equal", "power", "remainder", "right_shift", "subtract",
)
_MULTI_OUT_UFUNCS = ("divmod", "frexp", "modf")

_OTHER = (
    # sources
    "BUFFER", "FULL", "ARANGE", "LINSPACE", "EYE", "RANDOM",
    # elementwise, not ufuncs
    "CAST", "COPY", "WHERE", "CLIP",
    # reductions
    "SUM", "PROD", "MIN", "MAX", "ANY", "ALL", "MEAN", "VAR", "STD", "ARGMIN", "ARGMAX", "PTP",
    # movement / views / joins
    "SLICE", "RESHAPE", "TRANSPOSE", "BROADCAST_TO", "REAL", "IMAG", "CONCATENATE",
    # opaque
    "OPAQUE",
)

Op = enum.Enum(
    "Op",
    [(n.upper(), n) for n in _UNARY_UFUNCS + _BINARY_UFUNCS + _MULTI_OUT_UFUNCS]
    + [(n, n.lower()) for n in _OTHER],
    module=__name__,
)
Op.__doc__ = "Every operation lazynp records; values are readable names used in kernel names."
# Members are singletons compared by identity; Enum's default hash runs Python code on every
# dict/set lookup, which the record path does several times per op.
Op.__hash__ = object.__hash__

UNARY = frozenset(Op[n.upper()] for n in _UNARY_UFUNCS)
BINARY = frozenset(Op[n.upper()] for n in _BINARY_UFUNCS)
MULTI_OUT = frozenset(Op[n.upper()] for n in _MULTI_OUT_UFUNCS)
TERNARY = frozenset({Op.WHERE, Op.CLIP})
ELEMENTWISE = UNARY | BINARY | MULTI_OUT | TERNARY | {Op.CAST, Op.COPY}
SOURCE = frozenset({Op.BUFFER, Op.FULL, Op.ARANGE, Op.LINSPACE, Op.EYE, Op.RANDOM})
REDUCE = frozenset({Op.SUM, Op.PROD, Op.MIN, Op.MAX, Op.ANY, Op.ALL, Op.MEAN, Op.VAR, Op.STD,
                    Op.ARGMIN, Op.ARGMAX, Op.PTP})
VIEW = frozenset({Op.SLICE, Op.RESHAPE, Op.TRANSPOSE, Op.BROADCAST_TO, Op.REAL, Op.IMAG})
MOVEMENT = VIEW | {Op.CONCATENATE}
OPAQUE = frozenset({Op.OPAQUE})

UFUNC_OF: dict[Op, np.ufunc] = {
    Op[n.upper()]: getattr(np, n) for n in _UNARY_UFUNCS + _BINARY_UFUNCS + _MULTI_OUT_UFUNCS
}
OP_OF_UFUNC: dict[np.ufunc, Op] = {uf: op for op, uf in UFUNC_OF.items()}
