"""The cost model: work per element of each op plus a memory-traffic term.

Units: one unit is the time of a cheap arithmetic op (``float64`` add) on one element, in a
fused loop.  The table starts from the costs published for Codon's NumPy fusion pass (cheap
arithmetic 1, division and power ~8, exp/log ~5, trigonometry ~10, ``x**2`` 1) and was
checked on this project's machine with ``bench/calibrate_cost.py`` (numbers in
``docs/fusion.md``).  ``x**2`` on floats is recorded as ``square`` (NumPy's own shortcut),
so it costs 1 like a multiply; ``power`` by the constant 2 is special-cased to 1 too.

``BYTE_COST`` converts memory traffic into the same units: reading or writing 8 bytes of a
streaming array costs about one cheap op.

The partitioner uses these numbers for three decisions (see ``partition.py``): recompute a
multi-consumer node or materialize it, split a group whose body is too expensive (at the
cheapest cut), and the totals ``lazynp.explain`` prints.
"""

from __future__ import annotations

import numpy as np

from ..graph.node import Node
from ..graph.ops import Op
from ..graph.reductions import REDUCTIONS
from ..graph.semantics import ARG

BYTE_COST = 0.125

# Every ``Op`` but the reductions (their cost is in their spec, ``graph/reductions.py``) is in
# exactly one group (``tests/fusion/test_cost.py`` fails otherwise): an op added to
# ``graph/ops.py`` needs a cost here, not a silent default.
_GROUPS: dict[float, tuple[str, ...]] = {
    # free: views, leaves read from memory (their traffic is counted as bytes), a copy
    0.0: ("positive", "copy", "buffer", "full",
          "slice", "reshape", "transpose", "broadcast_to", "real", "imag"),
    # cheap arithmetic, comparisons, bit and logical ops, selects and casts
    1.0: ("absolute", "add", "bitwise_and", "bitwise_count", "bitwise_or", "bitwise_xor",
          "conjugate", "copysign", "deg2rad", "degrees", "equal", "fabs", "fmax", "fmin",
          "frexp", "greater", "greater_equal", "heaviside", "invert", "isfinite", "isinf",
          "isnan", "isnat", "ldexp", "left_shift", "less", "less_equal", "logical_and",
          "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "modf",
          "multiply", "negative", "nextafter", "not_equal", "rad2deg", "radians",
          "right_shift", "sign", "signbit", "spacing", "square", "subtract",
          "cast", "where",
          # generated leaves, joins, and opaque nodes (kernel boundaries, costed as a copy)
          "arange", "linspace", "eye", "concatenate", "opaque"),
    2.0: ("sqrt", "rint", "floor", "ceil", "trunc", "cbrt", "logaddexp2", "clip"),
    # one PCG64 step, a jump per block and the double conversion: ~2 ns per draw, about 4 adds
    4.0: ("random",),
    # exp: ~5 where a kernel computes it in vector lanes (elementwise loops, row loops and
    # pairwise sums all do); a shared exp(x - m) is then recomputed in each kernel rather
    # than stored (softmax rows, bench/suite.py: no full-size temporary, ~1.6x faster on
    # the development machine, where a fresh 32 MB buffer costs ~3 ms of page faults)
    5.0: ("exp",),
    8.0: ("divide", "reciprocal", "power", "float_power", "gcd", "lcm"),
    # exp2/expm1/log...: ~5 in vector lanes, several times that as scalar calls
    10.0: ("exp2", "expm1", "log", "log2", "log10", "log1p", "sinh", "cosh", "tanh",
           "arcsinh", "arccosh", "arctanh", "tan", "arcsin", "arccos", "arctan", "arctan2"),
    # measured well above the published table (bench/calibrate_cost.py, docs/fusion.md)
    15.0: ("sin", "cos"),
    20.0: ("hypot", "fmod", "remainder", "divmod"),
    30.0: ("logaddexp", "floor_divide"),
}

OP_COST: dict[Op, float] = {Op(name): cost for cost, names in _GROUPS.items()
                            for name in names}
OP_COST.update({op: spec.cost for op, spec in REDUCTIONS.items()})

# integer floor division and remainder avoid the float fix-ups NumPy's float loops need
_INT_DIV = {Op.FLOOR_DIVIDE: 12.0, Op.REMAINDER: 12.0, Op.DIVMOD: 14.0}


def op_cost(node: Node) -> float:
    """Work per element of ``node`` in cheap-op units."""
    op = node.op
    cost = OP_COST[op]
    if op is Op.POWER:
        args = (node.params or {}).get("args", ())
        if len(args) == 2 and args[0] is ARG and args[1] is not ARG and _is_two(args[1]):
            return 1.0
    if op in _INT_DIV and node.dtype.kind in "iu":
        return _INT_DIV[op]
    if node.dtype.kind == "c" and cost > 0:
        cost *= 4.0  # complex arithmetic: several real ops per element
    return cost


def _is_two(x: object) -> bool:
    try:
        return not isinstance(x, (str, bytes)) and np.ndim(x) == 0 and x == 2
    except Exception:
        return False


def bytes_cost(nbytes: float) -> float:
    """Memory traffic in cost units."""
    return BYTE_COST * nbytes
