"""Floating-point warnings and errors follow NumPy under the errstate active at record time.

NumPy warns (or raises) at the operation; lazynp may only find out when it computes the
values, so it must remember the ``errstate`` that was active when the op was *recorded* and
apply it when the graph is forced. Raising ``FloatingPointError`` at the recording call itself
is also accepted (that is what NumPy does).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lazynp as lnp
from tests.helpers import recorded_warnings, to_numpy

# source run with a = [1., 0., -1., 2.] (float64), i = [1, 0, 3] (int64), f32 = [100.] float32
WARNING_CASES = {
    "divide by zero": "r = a / 0",
    "divide 0/0": "r = a / a[1]",
    "log of zero": "r = xp.log(a)",
    "sqrt of negative": "r = xp.sqrt(a)",
    "overflow exp f32": "r = xp.exp(f32)",
    "overflow multiply": "r = a * 1e308 * 10",
    "inf minus inf": "r = (a / 0) - (a / 0)",
    "int floor_divide by zero": "r = i // 0",
    "int remainder by zero": "r = i % 0",
    "float power": "r = a ** -1",
    "cast nan to int": "r = (a / 0).astype(np.int64)",
    "cast overflow f16": "r = (a * 1e10).astype(np.float16)",
    "chain": "r = xp.sqrt(xp.log(a) + 1) * 2",
    "mean of empty": "r = xp.mean(a[:0])",
    "var ddof": "r = xp.var(a[:1], ddof=1)",
    "arcsin domain": "r = xp.arcsin(a * 2)",
    "no warning": "r = a * 2 + 1",
}


def _ns(xp):
    return {
        "xp": xp,
        "np": np,
        "a": xp.array(np.array([1.0, 0.0, -1.0, 2.0])),
        "i": xp.array(np.array([1, 0, 3])),
        "f32": xp.array(np.array([100.0], dtype=np.float32)),
    }


def _run(xp, src, force=True):
    ns = _ns(xp)
    exec(src, ns)
    r = ns["r"]
    if force and xp is lnp and isinstance(r, lnp.ndarray):
        to_numpy(r)
    return r


@pytest.mark.parametrize("name", list(WARNING_CASES))
def test_runtime_warning_categories(lazy_mode, name):
    src = WARNING_CASES[name]
    with recorded_warnings() as np_w:
        _run(np, src)
    with recorded_warnings() as lz_w:
        _run(lnp, src)
    assert {w.category for w in lz_w} == {w.category for w in np_w}, (
        [str(w.message) for w in lz_w], [str(w.message) for w in np_w]
    )


@pytest.mark.parametrize("name", list(WARNING_CASES))
def test_runtime_warning_messages(lazy_mode, name):
    src = WARNING_CASES[name]
    with recorded_warnings() as np_w:
        _run(np, src)
    with recorded_warnings() as lz_w:
        _run(lnp, src)
    assert sorted({str(w.message) for w in lz_w}) == sorted({str(w.message) for w in np_w})


def test_warnings_filter_error_turns_into_exception(lazy_mode):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            _run(np, "r = a / 0")
        with pytest.raises(RuntimeWarning):
            _run(lnp, "r = a / 0")


@pytest.mark.parametrize(
    "kind,src",
    [
        ("divide", "r = a / 0"),
        ("invalid", "r = xp.sqrt(a)"),
        ("over", "r = xp.exp(f32)"),
        ("all", "r = xp.log(a)"),
        ("divide", "r = i // 0"),
    ],
)
def test_errstate_raise_forced_inside_block(lazy_mode, kind, src):
    with np.errstate(**{kind: "raise"}), pytest.raises(FloatingPointError):
        _run(np, src)
    with lnp.errstate(**{kind: "raise"}), pytest.raises(FloatingPointError):
        _run(lnp, src)


@pytest.mark.parametrize("src", ["r = a / 0", "r = xp.sqrt(a) + 1", "r = i // 0"])
def test_errstate_raise_remembered_after_block(lazy_mode, src):
    """Recorded under errstate(all='raise'), forced outside: must still raise."""
    raised_at_record = False
    r = None
    with lnp.errstate(all="raise"):
        try:
            r = _run(lnp, src, force=False)
        except FloatingPointError:
            raised_at_record = True
    if raised_at_record:
        return
    with pytest.raises(FloatingPointError):
        if isinstance(r, lnp.ndarray):
            to_numpy(r)
        else:
            raise AssertionError(f"no FloatingPointError, result {r!r}")


@pytest.mark.parametrize("errstate_of", ["numpy", "lazynp"])
def test_ignored_at_record_stays_silent_when_printed(lazy_mode, errstate_of):
    es = np.errstate if errstate_of == "numpy" else lnp.errstate
    with es(all="ignore"):
        r = _run(lnp, "r = xp.log(a) / 0 + xp.sqrt(a)", force=False)
        s = _run(lnp, "r = i // 0", force=False)
    with recorded_warnings() as w:
        text = repr(r) + str(s)
        to_numpy(r)
    assert not [x for x in w if issubclass(x.category, RuntimeWarning)], [
        str(x.message) for x in w
    ]
    with np.errstate(all="ignore"):
        expected = repr(_run(np, "r = xp.log(a) / 0 + xp.sqrt(a)")) + str(_run(np, "r = i // 0"))
    assert text == expected


def test_warn_at_record_default_even_if_forced_under_ignore(lazy_mode):
    """The errstate of the recording call decides, not the one active at force time."""
    with recorded_warnings() as np_w:
        _run(np, "r = a / 0")
    with recorded_warnings() as lz_w:
        r = _run(lnp, "r = a / 0", force=False)
        with np.errstate(all="ignore"), lnp.errstate(all="ignore"):
            if isinstance(r, lnp.ndarray):
                to_numpy(r)
    assert {w.category for w in lz_w} == {w.category for w in np_w} == {RuntimeWarning}


def test_errstate_call_and_seterr(lazy_mode):
    old = lnp.geterr()
    try:
        lnp.seterr(divide="raise")
        assert lnp.geterr()["divide"] == "raise"
        assert np.geterr()["divide"] == "raise", "lazynp.seterr must change NumPy's state too"
        with pytest.raises(FloatingPointError):
            _run(lnp, "r = a / 0")
    finally:
        lnp.seterr(**old)


def test_complex_warning_at_call(lazy_mode):
    def fn(xp):
        c = xp.array(np.array([1 + 2j, 3 - 1j]))
        return c.astype(np.float64)

    with recorded_warnings() as np_w:
        fn(np)
    with recorded_warnings() as lz_w:
        r = fn(lnp)
    # ComplexWarning is decided by dtypes: it must come at the call, before any forcing
    assert {w.category for w in lz_w} == {w.category for w in np_w} == {
        np.exceptions.ComplexWarning
    }
    np.testing.assert_array_equal(to_numpy(r), fn(np))


@pytest.mark.parametrize("dtype", ["int8", "uint16", "int64"])
@pytest.mark.parametrize("force", ["separately", "together"])
def test_divmod_warns_once_per_call(dtype, force):
    # NumPy reports a flag once per divmod call, however its two outputs are then used
    def run(xp, a, b):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            q, r = xp.divmod(a, b)
            if force == "together":
                np.array(q + r)  # one force computes both outputs
            values = (np.array(q), np.array(r))
        return values, sorted(str(x.message) for x in w)

    info = np.iinfo(dtype)
    a = np.full(1000, 7, dtype)
    b = np.full(1000, 3, dtype)
    a[[0, 500, -1]] = info.min if info.min else 1
    b[[0, 500, -1]] = -1 if info.min else 0
    b[1] = 0
    expected, expected_w = run(np, a, b)
    with lnp.config(eager_threshold=0):
        got, got_w = run(lnp, lnp.array(a), lnp.array(b))
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype
        np.testing.assert_array_equal(g, e)
    assert got_w == expected_w
    assert len(got_w) >= 1


def test_divmod_errstate_call_once():
    calls = []
    a = np.array([1, 2, 3] * 10, dtype=np.int32)
    b = np.array([0, 1, 1] * 10, dtype=np.int32)
    with lnp.config(eager_threshold=0), np.errstate(divide="call",
                                                     call=lambda *e: calls.append(e)):
        q, r = lnp.divmod(lnp.array(a), lnp.array(b))
    np.testing.assert_array_equal(np.asarray(q), np.divmod(a, b)[0])
    np.testing.assert_array_equal(np.asarray(r), np.divmod(a, b)[1])
    with np.errstate(divide="call", call=lambda *e: calls.append(("numpy",) + e)):
        np.divmod(a, b)
    assert calls == [("divide by zero", 1), ("numpy", "divide by zero", 1)]
