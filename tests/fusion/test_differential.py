"""Differential tests: random programs with fusion on (tiny blocks) and off agree with NumPy.

* The conformance generator (``tests/conformance/program.py``) replays random NumPy programs
  on lazynp; here it runs with ``fusion=True`` and a tiny reference-executor block size (so
  every reduction combines many partial results) and with ``fusion=False``.
* A small generator of fusion-shaped DAGs (shared subexpressions, views of lazy values,
  reductions feeding elementwise work, mixed dtypes) checks values against NumPy and that
  the plan never has more kernels than the DAG has nodes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lazynp as lnp
from tests.conformance.program import Features, ProgramBuilder, run_lazy

from .helpers import close, plan


@pytest.mark.parametrize("fusion", [True, False])
@settings(max_examples=25)
@given(data=st.data())
def test_conformance_programs_fused_and_unfused(fusion, data):
    features = Features(n_inputs=(1, 3), n_steps=(2, 10), views=True, reductions=True,
                        where=True, inplace=True)
    with lnp.config(eager_threshold=0, fusion=fusion, fusion_block_size=5):
        program = ProgramBuilder(data, features).build()
        run_lazy(program, lnp, data)


# --------------------------------------------------------------- own DAG generator
_UNARY = ["negative", "absolute", "sin", "exp", "sqrt", "square", "tanh", "floor"]
_BINARY = ["add", "subtract", "multiply", "divide", "maximum", "less", "power"]


def _program(seed: int):
    """A list of steps; each builds a value from earlier ones (same code for np and lnp)."""
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 9)), int(rng.integers(1, 9)))
    steps = []
    n_inputs = int(rng.integers(1, 4))
    for _ in range(int(rng.integers(3, 12))):
        kind = rng.choice(["un", "bin", "bin", "scalar", "view", "reduce", "where", "cast"])
        steps.append((str(kind), int(rng.integers(0, 1 << 30))))
    inputs = []
    for _ in range(n_inputs):
        dt = rng.choice([np.float64, np.float32, np.int32, np.int64, np.float64])
        a = rng.normal(size=shape) * 3
        inputs.append(a.astype(dt))
    return shape, inputs, steps


def _run(xp, shape, inputs, steps):
    vals = [xp.array(a) for a in inputs]
    for kind, s in steps:
        r = np.random.default_rng(s)
        a = vals[int(r.integers(len(vals)))]
        b = vals[int(r.integers(len(vals)))]
        if a.shape != shape:
            a = xp.broadcast_to(a, shape) if a.ndim == 2 else a
        if kind == "un":
            v = getattr(xp, _UNARY[int(r.integers(len(_UNARY)))])(a)
        elif kind == "bin":
            name = _BINARY[int(r.integers(len(_BINARY)))]
            if name == "power":
                v = xp.abs(a) ** 0.5 if a.dtype.kind == "f" else a * a
            else:
                v = getattr(xp, name)(a, b)
        elif kind == "scalar":
            v = a * float(r.normal()) + int(r.integers(-3, 3))
        elif kind == "view":
            v = [a.T.T, a[::-1], a[:, ::2].T.T if a.shape[1] > 1 else a, a[None][0]][
                int(r.integers(4))]
            if v.shape != shape:
                v = v * 1 if v.ndim != 2 else xp.concatenate([v, v], axis=1)[:, :shape[1]]
            if v.shape != shape:
                continue
        elif kind == "reduce":
            red = ["sum", "max", "min", "mean"][int(r.integers(4))]
            v = a - getattr(a, red)(axis=int(r.integers(2)), keepdims=True)
        elif kind == "where":
            v = xp.where(a > b, a, b * 2)
        else:
            v = a.astype([np.float32, np.int16, np.float64][int(r.integers(3))])
        vals.append(v)
    return vals


@pytest.mark.parametrize("seed", range(40))
def test_random_fusion_dags(seed):
    shape, inputs, steps = _program(seed)
    with np.errstate(all="ignore"):
        want = _run(np, shape, inputs, steps)
        with lnp.config(eager_threshold=0, fusion_block_size=4):
            got = _run(lnp, shape, inputs, steps)
            last = got[-1]
            if lnp.is_lazy(last):
                p = plan(last)
                assert len(p.kernels) <= len(p.nodes)
            for g, w in zip(got, want):
                _compare(np.asarray(g), w)


def _compare(got: np.ndarray, want: np.ndarray) -> None:
    if want.dtype.kind in "fc":
        assert got.dtype == want.dtype and got.shape == want.shape
        finite = np.isfinite(want)
        np.testing.assert_array_equal(np.isfinite(got), finite)
        scale = np.max(np.abs(want[finite])) if finite.any() else 1.0
        np.testing.assert_allclose(got[finite], want[finite], rtol=1e-4,
                                   atol=1e-5 * max(scale, 1.0))
    else:
        close(got, want, exact=True)
