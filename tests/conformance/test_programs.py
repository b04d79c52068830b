"""Hypothesis differential tests: random NumPy programs replayed on lazynp.

See ``program.py`` for how programs are drawn and compared. Failures print the program as
Python source (``xp`` stands for the module) together with its input arrays.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import lazynp as lnp
from tests.conformance.program import Features, ProgramBuilder, run_lazy
from tests.helpers import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES


def _run(data, features: Features) -> None:
    program = ProgramBuilder(data, features).build()
    run_lazy(program, lnp, data)


@given(data=st.data())
def test_elementwise_dags(lazy_mode, data):
    """Random trees/DAGs of unary and binary ufuncs (all dtypes, scalars, strided inputs)."""
    _run(data, Features(n_inputs=(1, 3), n_steps=(1, 8)))


@given(data=st.data())
def test_float_dags_deep(lazy_mode, data):
    """Longer chains on float inputs only, so that fusion sees long pipelines and diamonds."""
    _run(
        data,
        Features(
            n_inputs=(1, 2), n_steps=(6, 14), dtypes=FLOAT_DTYPES, astype=False, errors=False
        ),
    )


@given(data=st.data())
def test_integer_dags(lazy_mode, data):
    """Integer/bool DAGs: wrap-around, shifts, division by zero, bitwise ops, exact values."""
    _run(
        data,
        Features(
            n_inputs=(1, 3),
            n_steps=(2, 10),
            dtypes=INT_DTYPES + (np.dtype(bool),),
        ),
    )


@given(data=st.data())
def test_reductions(lazy_mode, data):
    """Reductions (axis int/tuple/None, keepdims, ddof) of inputs and of ufunc results."""
    _run(
        data,
        Features(n_inputs=(1, 2), n_steps=(1, 6), reductions=True, astype=False),
    )


@given(data=st.data())
def test_views_and_mutation(lazy_mode, data):
    """Views, in-place operators and item assignment interleaved with lazy expressions."""
    _run(
        data,
        Features(
            n_inputs=(1, 3),
            n_steps=(2, 12),
            views=True,
            inplace=True,
            setitem=True,
            reductions=True,
            where=True,
            identity_checks=True,
        ),
    )


@settings(max_examples=max(30, settings.default.max_examples // 2))
@given(data=st.data())
def test_everything(lazy_mode, data):
    """All step kinds at once, all dtypes."""
    _run(
        data,
        Features(
            n_inputs=(1, 4),
            n_steps=(4, 16),
            views=True,
            inplace=True,
            setitem=True,
            reductions=True,
            where=True,
            identity_checks=True,
            dtypes=ALL_DTYPES,
        ),
    )
