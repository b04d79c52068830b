"""repr/str/print of lazynp arrays are NumPy's text, including print options."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import numpy as np
import pytest

import lazynp as lnp

ARRAYS = {
    "float64 1-d": lambda: np.array([1.5, -2.25, 3.0, 1e-5]),
    "float64 nan inf": lambda: np.array([np.nan, np.inf, -np.inf, 0.0, -0.0]),
    "float32": lambda: np.array([1 / 3, 2 / 3, 1e8], dtype=np.float32),
    "float16": lambda: np.array([0.1, 1000.0, -3.5], dtype=np.float16),
    "big floats": lambda: np.array([1e20, 1.0, 1e-20]),
    "int8": lambda: np.array([-128, 0, 127], dtype=np.int8),
    "uint64": lambda: np.array([0, 2**64 - 1], dtype=np.uint64),
    "int64 2-d": lambda: np.arange(12).reshape(3, 4) * 1000 - 5000,
    "bool": lambda: np.array([[True, False], [False, True]]),
    "complex128": lambda: np.array([1 + 2j, -0.5j, np.nan + 1j]),
    "complex64": lambda: np.array([1 + 2j, 3.25 - 1j], dtype=np.complex64),
    "3-d": lambda: np.arange(24.0).reshape(2, 3, 4) / 7,
    "0-d float": lambda: np.array(3.25),
    "0-d int": lambda: np.array(-7, dtype=np.int16),
    "0-d bool": lambda: np.array(True),
    "empty": lambda: np.zeros((0,)),
    "empty 2-d": lambda: np.zeros((2, 0), dtype=np.int32),
    "empty 3-d": lambda: np.ones((0, 3, 2), dtype=np.float32),
    "large summarised": lambda: np.arange(2000.0),
    "large 2-d summarised": lambda: np.arange(1_100_000).reshape(1000, 1100),
    "long row wraps": lambda: np.linspace(0, 1, 40),
    "transposed": lambda: np.arange(6).reshape(2, 3).T,
    "reversed strided": lambda: np.arange(20.0)[::-3],
    "int32 needs dtype in repr": lambda: np.array([1, 2], dtype=np.int32),
    "float32 0-d": lambda: np.array(1.5, dtype=np.float32),
}


def _as_lazy(x: np.ndarray):
    """A lazy node with x's values (an elementwise op under eager_threshold=0)."""
    with lnp.config(eager_threshold=0):
        base = lnp.array(x.reshape(-1).copy())
        if x.dtype.kind == "b":
            node = base & True
        else:
            node = lnp.positive(base)  # keeps -0.0, nan, complex parts and the dtype
        return node.reshape(x.shape)


@pytest.mark.parametrize("name", list(ARRAYS))
@pytest.mark.parametrize("how", ["concrete", "lazy"])
def test_repr_str_print(name, how):
    x = ARRAYS[name]()
    a = lnp.array(x.copy()) if how == "concrete" else _as_lazy(x)
    assert isinstance(a, lnp.ndarray)
    assert repr(a) == repr(x)
    assert str(a) == str(x)
    buf = io.StringIO()
    with redirect_stdout(buf):
        print(a)
        print(a, a.dtype, a.shape)
    ref = io.StringIO()
    with redirect_stdout(ref):
        print(x)
        print(x, x.dtype, x.shape)
    assert buf.getvalue() == ref.getvalue()
    assert f"{a}" == f"{x}"


OPTIONS = [
    {"precision": 3},
    {"precision": 2, "suppress": True},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 1},
    {"linewidth": 30},
    {"floatmode": "fixed", "precision": 4},
    {"floatmode": "unique"},
    {"sign": "+"},
    {"sign": " "},
    {"nanstr": "NaN", "infstr": "Inf"},
    {"formatter": {"float": lambda v: f"<{v:.1f}>"}},
    {"legacy": "1.25"},
    {"legacy": "1.13"},
]


@pytest.mark.parametrize("opts", OPTIONS, ids=[repr(o)[:40] for o in OPTIONS])
def test_printoptions_context(opts):
    xs = [ARRAYS[k]() for k in ("float64 1-d", "float64 nan inf", "3-d", "large summarised",
                                 "0-d float", "long row wraps", "complex128")]
    lz = [_as_lazy(x) for x in xs]
    with np.printoptions(**opts):
        expected = [repr(x) for x in xs] + [str(x) for x in xs]
    with lnp.printoptions(**opts):
        got = [repr(a) for a in lz] + [str(a) for a in lz]
    assert got == expected
    # and the options are restored afterwards
    assert [repr(a) for a in lz] == [repr(x) for x in xs]


def test_set_printoptions_and_get():
    x = ARRAYS["3-d"]()
    a = _as_lazy(x)
    old = lnp.get_printoptions()
    try:
        lnp.set_printoptions(precision=2, threshold=10, edgeitems=1)
        np_opts = np.get_printoptions()
        assert np_opts["precision"] == 2 and np_opts["threshold"] == 10
        got = repr(a)
        with np.printoptions(precision=2, threshold=10, edgeitems=1):
            expected = repr(x)
        assert got == expected
    finally:
        lnp.set_printoptions(**old)
    assert lnp.get_printoptions() == np.get_printoptions()
    assert repr(a) == repr(x)


def test_array2string_and_array_repr():
    x = ARRAYS["3-d"]()
    a = _as_lazy(x)
    assert lnp.array2string(a, precision=2) == np.array2string(x, precision=2)
    assert lnp.array_repr(a) == np.array_repr(x)
    assert lnp.array_str(a) == np.array_str(x)
    assert np.array2string(a, precision=2) == np.array2string(x, precision=2)


def test_repr_of_scalar_results():
    x = ARRAYS["float64 1-d"]()
    with lnp.config(eager_threshold=0):
        a = lnp.array(x.copy()) * 2
        assert repr(a.sum()) == repr((x * 2).sum())
        assert repr(a[1]) == repr((x * 2)[1])
        assert str(a.max()) == str((x * 2).max())
        assert repr(a.argmax()) == repr((x * 2).argmax())


def test_repr_of_views_and_mutated_arrays(lazy_mode):
    x = np.arange(12.0).reshape(3, 4)
    a = lnp.array(x.copy())
    for src in ["a[::-1, 1:]", "a.T", "a[:, None, 2]", "a[1]", "a + a.T.T"]:
        assert repr(eval(src, {"a": a})) == repr(eval(src, {"a": x})), src
    b = a[1:]
    a[1, 1] = -1
    x[1, 1] = -1
    assert repr(b) == repr(x[1:])
