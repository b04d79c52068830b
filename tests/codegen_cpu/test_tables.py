"""Every Op has one place in the CPU renderer's lowering tables (``codegen_cpu/lowering.py``):
a rule, an explicit "not compiled" mark, or a note that it is never a body instruction; the
libm rows (``codegen_cpu/libm.py``) are lowered by the libm rule."""

from __future__ import annotations

from lazynp.codegen_cpu import libm, lowering
from lazynp.graph.ops import ELEMENTWISE, Op


def test_every_op_has_a_rendering_rule_or_a_mark() -> None:
    places = {
        "rules": set(lowering._RULES),
        "any dtype": set(lowering._ANY_DTYPE),
        "dispatch": set(lowering._IN_DISPATCH),
        "not compiled": set(lowering.NOT_COMPILED),
        "not a body instruction": set(lowering.NOT_BODY),
    }
    for name, ops in places.items():
        for other, more in places.items():
            if other != name:
                assert not ops & more, (name, other, sorted(o.value for o in ops & more))
    placed = set().union(*places.values())
    assert not sorted(op.value for op in Op if op not in placed), "ops without a place"
    assert set(lowering.NOT_COMPILED) <= ELEMENTWISE
    assert not set(lowering.NOT_BODY) & ELEMENTWISE
    # complex and float16 operands: per-dtype tables of ops that have a rule
    assert set(lowering._COMPLEX_RULES) <= set(lowering._RULES) | set(lowering._IN_DISPATCH)
    assert set(lowering._HALF_VIA_FLOAT) <= set(lowering._RULES)


def test_libm_rows_use_the_libm_rule() -> None:
    for row in libm.ROWS:
        assert lowering._RULES[row.op] is lowering._r_libm, row.op
