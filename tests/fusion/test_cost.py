"""The cost table (``fusion/cost.py``) covers every op explicitly: an op added to
``graph/ops.py`` without a cost fails here instead of silently costing 1.0."""

from __future__ import annotations

from collections import Counter

from lazynp.fusion import cost
from lazynp.graph.ops import REDUCE, Op
from lazynp.graph.reductions import REDUCTIONS


def test_every_op_has_exactly_one_cost() -> None:
    names = Counter(name for names in cost._GROUPS.values() for name in names)
    names.update(op.value for op in REDUCTIONS)
    assert not [n for n, c in names.items() if c > 1], "an op in two cost groups"
    assert not sorted(set(names) - {op.value for op in Op}), "a cost for an unknown op"
    assert not sorted(op.value for op in Op if op.value not in names), "ops without a cost"
    assert set(cost.OP_COST) == set(Op)


def test_the_reduction_specs_are_the_reductions() -> None:
    assert set(REDUCTIONS) == REDUCE
