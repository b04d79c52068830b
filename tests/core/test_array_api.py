"""The Python array API standard as NumPy 2.x has it, on both tiers.

Every test runs the same statement through NumPy and through lazynp (``run_both``) on a small
array (NumPy's own) and on a lazy one (``lazy_mode``: ``"lazy"`` records every operation,
``eager_threshold=0``), and the lazy-tier attributes (``__array_namespace__``, ``device``,
``to_device``, ``__dlpack__``...) are compared with NumPy's answers for NumPy arrays.
"""

from __future__ import annotations

import numpy as np
import pytest

import lazynp as lnp
from tests.helpers import assert_raises_like, assert_same, run_both


def _lazy(x) -> bool:
    """Whether ``x`` is an array of lazynp's lazy tier (not NumPy's own)."""
    return isinstance(x, lnp.ndarray) and type(x) is not np.ndarray


@pytest.fixture
def lazy_x(always_lazy):
    x = lnp.arange(12.0).reshape(3, 4)
    assert lnp.is_lazy(x)
    lnp.reset_stats()  # (the fallback counters of earlier tests)
    return x


def _message(call) -> tuple[type, str]:
    try:
        call()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    raise AssertionError("did not raise")


# ------------------------------------------------------------------ namespace
def test_namespace_of_each_tier(lazy_x):
    assert np.ones(3).__array_namespace__() is np  # NumPy's own (the small tier)
    assert lazy_x.__array_namespace__() is lnp
    for version in ("2021.12", "2022.12", "2023.12", "2024.12"):
        assert lazy_x.__array_namespace__(api_version=version) is lnp
    assert lnp.is_lazy(lazy_x)  # nothing forced


@pytest.mark.parametrize("version", ["2019.12", "2025.12", "latest", 2023])
def test_namespace_version_errors_are_numpys(lazy_x, version):
    ref = np.ones(3)
    assert _message(lambda: lazy_x.__array_namespace__(api_version=version)) == _message(
        lambda: ref.__array_namespace__(api_version=version))


def test_namespace_takes_no_positional_argument(lazy_x):
    assert_raises_like(lambda: np.ones(3).__array_namespace__("2023.12"),
                       lambda: lazy_x.__array_namespace__("2023.12"))


def test_namespace_info_mirrors_numpy():
    info, ref = lnp.__array_namespace_info__(), np.__array_namespace_info__()
    assert info.capabilities() == ref.capabilities()
    assert info.default_device() == ref.default_device() == "cpu"
    assert info.devices() == ref.devices() == ["cpu"]
    assert info.default_dtypes() == ref.default_dtypes()
    assert info.default_dtypes(device="cpu") == ref.default_dtypes(device="cpu")
    for kind in (None, "bool", "signed integer", "unsigned integer", "integral",
                 "real floating", "complex floating", "numeric", ("integral", "bool")):
        assert info.dtypes(kind=kind) == ref.dtypes(kind=kind)
    assert _message(lambda: info.default_dtypes(device="gpu")) == _message(
        lambda: ref.default_dtypes(device="gpu"))
    assert lnp.__array_api_version__ == np.__array_api_version__


# ------------------------------------------------------- device, to_device
def test_device_and_to_device_do_not_force(lazy_x):
    assert lazy_x.device == np.ones(3).device == "cpu"
    assert lazy_x.to_device("cpu") is lazy_x
    assert lazy_x.to_device("cpu", stream=None) is lazy_x
    assert lnp.is_lazy(lazy_x)
    assert lnp.stats()["fallbacks"] == {}


@pytest.mark.parametrize("args, kwargs", [
    (("gpu",), {}), ((None,), {}), ((0,), {}), (("cpu",), {"stream": 1}),
    (("gpu",), {"stream": 1}),
])
def test_to_device_errors_are_numpys(lazy_x, args, kwargs):
    ref = np.ones(3)
    assert _message(lambda: lazy_x.to_device(*args, **kwargs)) == _message(
        lambda: ref.to_device(*args, **kwargs))


@pytest.mark.parametrize("args, kwargs", [((), {"device": "cpu"}), (("cpu", None), {}),
                                          ((), {})])
def test_to_device_signature(lazy_x, args, kwargs):
    # to_device(device, /, *, stream=None): Python's own binding errors (NumPy's C method
    # words them differently), the same TypeError
    assert_raises_like(lambda: np.ones(3).to_device(*args, **kwargs),
                       lambda: lazy_x.to_device(*args, **kwargs))


def test_device_of_results(lazy_mode):
    x = lnp.arange(12.0).reshape(3, 4)
    for r in (x, x + 1, x.T, x.sum(axis=0)):
        assert r.device == "cpu"


# ------------------------------------------------------------------- DLPack
@pytest.mark.parametrize("kwargs", [
    {}, {"max_version": (1, 0)}, {"max_version": (0, 8)}, {"max_version": None},
    {"dl_device": (1, 0)}, {"copy": True}, {"copy": False}, {"copy": None}, {"stream": None},
])
def test_from_dlpack(lazy_x, kwargs):
    ref = np.arange(12.0).reshape(3, 4)
    assert type(lazy_x.__dlpack__(**kwargs)).__name__ == type(ref.__dlpack__(**kwargs)).__name__
    got = np.from_dlpack(lazy_x, **{k: v for k, v in kwargs.items()
                                    if k in ("copy", "device")})
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("kwargs", [{"stream": 1}, {"dl_device": (2, 0)},
                                    {"max_version": (2, 0), "dl_device": (2, 0)}])
def test_dlpack_errors_are_numpys(lazy_x, kwargs):
    ref = np.arange(12.0).reshape(3, 4)
    assert _message(lambda: lazy_x.__dlpack__(**kwargs)) == _message(
        lambda: ref.__dlpack__(**kwargs))


@pytest.mark.parametrize("args, kwargs", [((1,), {}), ((), {"foo": 1})])
def test_dlpack_signature(lazy_x, args, kwargs):
    # __dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)
    assert_raises_like(lambda: np.ones(3).__dlpack__(*args, **kwargs),
                       lambda: lazy_x.__dlpack__(*args, **kwargs))


def test_dlpack_device_does_not_force(lazy_x):
    assert lazy_x.__dlpack_device__() == np.ones(3).__dlpack_device__()
    assert lnp.is_lazy(lazy_x)


# --------------------------------------------------------------- .T and .mT
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4), (2, 1, 3, 2)])
def test_transposes(lazy_mode, shape):
    n = int(np.prod(shape))

    def make(xp):
        return xp.arange(float(n)).reshape(shape)
    run_both(lambda xp: make(xp).T, exact=True)
    run_both(lambda xp: make(xp).mT, exact=True)  # (ValueError below 2-d, as NumPy)
    run_both(lambda xp: xp.matrix_transpose(make(xp)), exact=True)
    run_both(lambda xp: xp.linalg.matrix_transpose(make(xp)), exact=True)
    run_both(lambda xp: xp.permute_dims(make(xp), tuple(range(len(shape)))[::-1]),
             exact=True)


def test_matrix_transpose_and_astype_stay_lazy(lazy_x):
    for r in (lazy_x.mT, lnp.matrix_transpose(lazy_x), lnp.linalg.matrix_transpose(lazy_x),
              lnp.permute_dims(lazy_x, (1, 0)), lnp.astype(lazy_x, np.float32),
              lnp.concat([lazy_x, lazy_x])):
        assert lnp.is_lazy(r)
    assert lnp.astype(lazy_x, np.float64, copy=False) is lazy_x
    assert lnp.stats()["fallbacks"] == {}


# ------------------------------------------------------ std/var correction=
@pytest.mark.parametrize("fn", ["std", "var"])
@pytest.mark.parametrize("kwargs", [
    {"correction": 1}, {"correction": 0}, {"correction": 1.5}, {"correction": 1, "axis": 0},
    {"correction": 1, "axis": 1, "keepdims": True}, {"correction": 2, "dtype": np.float32},
    {"correction": 1, "ddof": 0}, {"correction": 1, "ddof": 1}, {"correction": 5, "axis": 0},
    {"correction": 1, "where": np.arange(12).reshape(3, 4) % 2 == 0},
])
def test_std_var_correction(lazy_mode, fn, kwargs):
    run_both(lambda xp: getattr(xp, fn)(xp.arange(12.0).reshape(3, 4) ** 1.5, **kwargs))
    run_both(lambda xp: getattr(xp, fn)(xp.arange(12).reshape(3, 4), **kwargs))


@pytest.mark.parametrize("fn", ["std", "var"])
def test_std_var_methods_take_no_correction(lazy_mode, fn):
    # NumPy's methods refuse it (only the functions numpy.std / numpy.var take it)
    run_both(lambda xp: getattr(xp.arange(12.0).reshape(3, 4), fn)(correction=1))
    run_both(lambda xp: getattr(xp.arange(12.0).reshape(3, 4), fn)(ddof=1, axis=0))


def test_correction_keeps_the_lazy_composite(always_lazy):
    x = lnp.arange(10_000.0) * 0.5
    r = lnp.var(x.reshape(100, 100), axis=1, correction=1)
    assert lnp.is_lazy(r)
    np.testing.assert_array_equal(
        np.asarray(r), np.var((np.arange(10_000.0) * 0.5).reshape(100, 100), axis=1, ddof=1))


# ------------------------------------------------------------------- arange
ARANGE = [
    ((10,), {}), ((2, 10), {}), ((2, 10, 3), {}), ((10, 2, -1), {}), ((2.5,), {}),
    ((1, 4.5), {}), ((0, 1, 0.1), {}), ((10,), {"dtype": np.float32}),
    ((1, 10, 2, np.int16), {}), ((), {"stop": 5}), ((), {"start": 1, "stop": 5}),
    ((), {"start": 1, "stop": 10, "step": 3}), ((), {"stop": 5, "step": 2}),
    ((5,), {"stop": 8}), ((5,), {"step": 2}), ((2,), {"start": 1}),
    ((1, 5), {"start": 1}), ((), {"start": 1}), ((), {}), ((1, 2, 3, 4, 5), {}),
    ((), {"foo": 1}), ((1, None), {}), ((1,), {"stop": None}), ((None, 5), {}),
    ((None,), {}), ((0, 10, 0), {}), ((10,), {"device": "cpu"}), ((10,), {"device": "gpu"}),
    ((10,), {"device": None}), ((), {"stop": 10, "dtype": float, "device": "cpu"}),
    ((np.int64(3), np.float32(7.5)), {}), ((True,), {}), ((1j,), {}),
    ((3,), {"dtype": "U1"}),
]


@pytest.mark.parametrize("scale", [1, 1000])
@pytest.mark.parametrize("args, kwargs", ARANGE)
def test_arange_arguments(args, kwargs, scale):
    """Each call as NumPy binds it, small (NumPy's) and large (the lazy tier, > 4096)."""
    if scale != 1:
        args = tuple(a * scale if type(a) in (int, float) else a for a in args)
        kwargs = {k: v * scale if type(v) in (int, float) and k != "dtype" else v
                  for k, v in kwargs.items()}
    run_both(lambda xp: xp.arange(*args, **kwargs), exact=True)


def test_large_arange_is_lazy():
    for r in (lnp.arange(10_000), lnp.arange(start=1, stop=10_000), lnp.arange(0.0, 1e4, 0.5),
              lnp.arange(10_000, dtype=np.float32, device="cpu")):
        assert lnp.is_lazy(r)


# ---------------------------------------------------- device= on creation
CREATION = {
    "zeros": lambda xp, n, d: xp.zeros(n, device=d),
    "ones": lambda xp, n, d: xp.ones((n, 1), device=d),
    "empty": lambda xp, n, d: xp.empty(n, device=d).shape,
    "full": lambda xp, n, d: xp.full(n, 2.5, device=d),
    "arange": lambda xp, n, d: xp.arange(n, device=d),
    "linspace": lambda xp, n, d: xp.linspace(0, 1, n, device=d),
    "eye": lambda xp, n, d: xp.eye(int(n ** 0.5) + 1, device=d),
    "asarray": lambda xp, n, d: xp.asarray(np.arange(n), device=d),
    "asarray list": lambda xp, n, d: xp.asarray(list(range(n)), device=d),
    "asarray lazy": lambda xp, n, d: xp.asarray(xp.arange(n), device=d),
    "asanyarray": lambda xp, n, d: xp.asanyarray(list(range(n)), device=d),
    "zeros_like": lambda xp, n, d: xp.zeros_like(xp.arange(n), device=d),
    "ones_like": lambda xp, n, d: xp.ones_like(xp.arange(n), device=d),
    "empty_like": lambda xp, n, d: xp.empty_like(xp.arange(n), device=d).shape,
    "full_like": lambda xp, n, d: xp.full_like(xp.arange(n), 3, device=d),
    "fftfreq": lambda xp, n, d: xp.fft.fftfreq(n, device=d),
    "rfftfreq": lambda xp, n, d: xp.fft.rfftfreq(n, device=d),
}


@pytest.mark.parametrize("n", [10, 10_000])
@pytest.mark.parametrize("device", [None, "cpu", "gpu", "CPU", 0])
@pytest.mark.parametrize("name", list(CREATION))
def test_creation_device(name, device, n):
    err, _ = run_both(lambda xp: CREATION[name](xp, n, device), exact=True)
    if isinstance(err, Exception):
        assert str(err) == f'Device not understood. Only "cpu" is allowed, but received: {device}'


# --------------------------------------------- functions of the namespace
def _x(xp, shape=(3, 4), dtype=float):
    return (xp.arange(int(np.prod(shape))).reshape(shape) % 5 - 2).astype(dtype)


NAMESPACE = {
    "vecdot": lambda xp: xp.vecdot(_x(xp), _x(xp, (4,))),
    "vecdot axis": lambda xp: xp.vecdot(_x(xp), _x(xp), axis=0),
    "matmul": lambda xp: xp.matmul(_x(xp), _x(xp, (4, 2))),
    "tensordot": lambda xp: xp.tensordot(_x(xp), _x(xp, (4, 2)), axes=1),
    "permute_dims": lambda xp: xp.permute_dims(_x(xp, (2, 3, 4)), (2, 0, 1)),
    "concat": lambda xp: xp.concat([_x(xp), _x(xp)], axis=1),
    "concat None": lambda xp: xp.concat((_x(xp), _x(xp)), axis=None),
    "astype": lambda xp: xp.astype(_x(xp), np.int16),
    "astype no copy": lambda xp: xp.astype(_x(xp), np.float64, copy=False),
    "astype device": lambda xp: xp.astype(_x(xp), np.float32, device="cpu"),
    "astype bad device": lambda xp: xp.astype(_x(xp), np.float32, device="gpu"),
    "unique_values": lambda xp: xp.unique_values(_x(xp)),
    "unique_counts": lambda xp: tuple(xp.unique_counts(_x(xp))),
    "unique_inverse": lambda xp: tuple(xp.unique_inverse(_x(xp))),
    "unique_all": lambda xp: tuple(xp.unique_all(_x(xp))),
    "isdtype": lambda xp: xp.isdtype(_x(xp).dtype, ("real floating", "integral")),
    "bitwise_and": lambda xp: xp.bitwise_and(_x(xp, dtype=int), 3),
    "bitwise_or": lambda xp: xp.bitwise_or(_x(xp, dtype=int), 3),
    "bitwise_xor": lambda xp: xp.bitwise_xor(_x(xp, dtype=int), 3),
    "bitwise_invert": lambda xp: xp.bitwise_invert(_x(xp, dtype=int)),
    "bitwise_left_shift": lambda xp: xp.bitwise_left_shift(_x(xp, dtype=int) + 2, 2),
    "bitwise_right_shift": lambda xp: xp.bitwise_right_shift(_x(xp, dtype=int) + 2, 1),
    "bitwise_count": lambda xp: xp.bitwise_count(_x(xp, dtype=int)),
    "pow": lambda xp: xp.pow(_x(xp), 2),
    "acos": lambda xp: xp.acos(_x(xp) / 4),
    "asin": lambda xp: xp.asin(_x(xp) / 4),
    "atan": lambda xp: xp.atan(_x(xp)),
    "atan2": lambda xp: xp.atan2(_x(xp), 2.0),
    "acosh": lambda xp: xp.acosh(_x(xp) + 3),
    "asinh": lambda xp: xp.asinh(_x(xp)),
    "atanh": lambda xp: xp.atanh(_x(xp) / 4),
    "cumulative_sum": lambda xp: xp.cumulative_sum(_x(xp), axis=1, include_initial=True),
    "cumulative_prod": lambda xp: xp.cumulative_prod(_x(xp), axis=0),
    "take_along_axis": lambda xp: xp.take_along_axis(_x(xp), xp.argsort(_x(xp), axis=1),
                                                      axis=1),
    "clip": lambda xp: xp.clip(_x(xp), -1, 1),
    "copysign": lambda xp: xp.copysign(_x(xp), -1.0),
    "nextafter": lambda xp: xp.nextafter(_x(xp), 10.0),
    "hypot": lambda xp: xp.hypot(_x(xp), 2.0),
    "logaddexp": lambda xp: xp.logaddexp(_x(xp), 1.0),
    "round": lambda xp: xp.round(_x(xp) / 3),
    "sign": lambda xp: xp.sign(_x(xp)),
    "signbit": lambda xp: xp.signbit(_x(xp)),
    "trunc": lambda xp: xp.trunc(_x(xp) / 3),
    "reciprocal": lambda xp: xp.reciprocal(_x(xp) + 10),
    "count_nonzero": lambda xp: xp.count_nonzero(_x(xp), axis=1),
    "searchsorted": lambda xp: xp.searchsorted(xp.sort(_x(xp).ravel()), _x(xp)),
    "nonzero": lambda xp: xp.nonzero(_x(xp)),
    "where": lambda xp: xp.where(_x(xp) > 0, _x(xp), 0.0),
    "meshgrid": lambda xp: xp.meshgrid(_x(xp, (4,)), _x(xp, (3,)), indexing="ij"),
    "broadcast_arrays": lambda xp: xp.broadcast_arrays(_x(xp), _x(xp, (4,))),
    "expand_dims": lambda xp: xp.expand_dims(_x(xp), axis=(0, 2)),
    "squeeze": lambda xp: xp.squeeze(xp.expand_dims(_x(xp), 0), axis=0),
    "stack": lambda xp: xp.stack([_x(xp), _x(xp)], axis=-1),
    "unstack": lambda xp: xp.unstack(_x(xp), axis=1),
    "flip": lambda xp: xp.flip(_x(xp), axis=1),
    "roll": lambda xp: xp.roll(_x(xp), 2, axis=1),
    "repeat": lambda xp: xp.repeat(_x(xp), 2, axis=0),
    "tile": lambda xp: xp.tile(_x(xp), (1, 2)),
    "moveaxis": lambda xp: xp.moveaxis(_x(xp, (2, 3, 4)), 0, -1),
    "take": lambda xp: xp.take(_x(xp), xp.asarray([0, 2]), axis=1),
    "argsort": lambda xp: xp.argsort(_x(xp), axis=1, stable=True),
    "sort": lambda xp: xp.sort(_x(xp), axis=0, stable=True),
    "max": lambda xp: xp.max(_x(xp), axis=1),
    "sum": lambda xp: xp.sum(_x(xp), axis=1, dtype=np.float32),
    "prod": lambda xp: xp.prod(_x(xp) / 2, axis=0),
    "mean": lambda xp: xp.mean(_x(xp), axis=(0, 1)),
    "diff": lambda xp: xp.diff(_x(xp), axis=1, prepend=0.0),
    "result_type": lambda xp: xp.result_type(_x(xp), np.float32),
    "can_cast": lambda xp: xp.can_cast(_x(xp).dtype, np.float32),
    "finfo": lambda xp: xp.finfo(_x(xp).dtype).eps,
    "iinfo": lambda xp: xp.iinfo(_x(xp, dtype=np.int16).dtype).max,
    "from_dlpack": lambda xp: xp.from_dlpack(_x(xp)),
    "tril": lambda xp: xp.tril(_x(xp)),
    "empty_like shape": lambda xp: xp.empty_like(_x(xp)).shape,
    "full_like": lambda xp: xp.full_like(_x(xp), 7, dtype=np.int8),
}


@pytest.mark.parametrize("name", list(NAMESPACE))
def test_namespace_functions(lazy_mode, name):
    run_both(NAMESPACE[name])


def test_namespace_functions_on_lazy_inputs(always_lazy):
    x = _x(lnp)
    assert _lazy(x) and lnp.is_lazy(x)
    assert_same(lnp.vecdot(x, x), np.vecdot(_x(np), _x(np)))
    assert_same(lnp.astype(x, np.int8), np.astype(_x(np), np.int8))


def test_aliases_are_numpys():
    for name in ("concat", "permute_dims", "pow", "acos", "asin", "atan", "atan2", "acosh",
                 "asinh", "atanh", "bitwise_invert", "bitwise_left_shift",
                 "bitwise_right_shift", "vecdot", "matrix_transpose", "astype",
                 "unique_all", "unique_counts", "unique_inverse", "unique_values",
                 "cumulative_sum", "cumulative_prod", "isdtype", "unstack"):
        assert hasattr(lnp, name), name
    assert lnp.concat is np.concatenate and lnp.permute_dims is np.transpose
    assert lnp.pow is np.power and lnp.bitwise_left_shift is np.left_shift


# ----------------------------------------------------- linalg and fft
LINALG = {
    "matrix_norm": lambda xp: xp.linalg.matrix_norm(_x(xp)),
    "matrix_norm nuc": lambda xp: xp.linalg.matrix_norm(_x(xp), ord="nuc", keepdims=True),
    "matrix_norm batch": lambda xp: xp.linalg.matrix_norm(_x(xp, (2, 3, 4)), ord=1),
    "vector_norm": lambda xp: xp.linalg.vector_norm(_x(xp)),
    "vector_norm axis": lambda xp: xp.linalg.vector_norm(_x(xp), axis=1, ord=3),
    "vector_norm inf": lambda xp: xp.linalg.vector_norm(_x(xp), ord=np.inf, keepdims=True),
    "vecdot": lambda xp: xp.linalg.vecdot(_x(xp), _x(xp), axis=0),
    "matrix_transpose": lambda xp: xp.linalg.matrix_transpose(_x(xp, (2, 3, 4))),
    "outer": lambda xp: xp.linalg.outer(_x(xp, (4,)), _x(xp, (3,))),
    "tensordot": lambda xp: xp.linalg.tensordot(_x(xp), _x(xp), axes=2),
    "diagonal": lambda xp: xp.linalg.diagonal(_x(xp, (2, 3, 4)), offset=1),
    "trace": lambda xp: xp.linalg.trace(_x(xp, (2, 3, 4)), offset=-1),
    "cross": lambda xp: xp.linalg.cross(_x(xp, (4, 3)), _x(xp, (4, 3)) ** 2),
    "svdvals": lambda xp: xp.linalg.svdvals(_x(xp)),
    "matmul": lambda xp: xp.linalg.matmul(_x(xp), _x(xp, (4, 3))),
    "det": lambda xp: xp.linalg.det(_x(xp, (3, 3)) + 3 * xp.eye(3)),
    "inv": lambda xp: xp.linalg.inv(_x(xp, (3, 3)) + 3 * xp.eye(3)),
    "solve": lambda xp: xp.linalg.solve(_x(xp, (3, 3)) + 3 * xp.eye(3), _x(xp, (3, 2))),
    "slogdet": lambda xp: tuple(xp.linalg.slogdet(_x(xp, (3, 3)) + 3 * xp.eye(3))),
    "eigvalsh": lambda xp: xp.linalg.eigvalsh(_x(xp, (3, 3)) + _x(xp, (3, 3)).T),
    "cholesky": lambda xp: xp.linalg.cholesky(_x(xp, (3, 3)) @ _x(xp, (3, 3)).T
                                              + xp.eye(3), upper=True),
    "pinv": lambda xp: xp.linalg.pinv(_x(xp), rtol=1e-10),
    "matrix_rank": lambda xp: xp.linalg.matrix_rank(_x(xp), rtol=1e-10),
    "matrix_power": lambda xp: xp.linalg.matrix_power(_x(xp, (3, 3)), 3),
}


@pytest.mark.parametrize("name", list(LINALG))
def test_linalg_extension(lazy_mode, name):
    run_both(LINALG[name], rtol=1e-9, atol=1e-12)


FFT = {
    "fft": lambda xp: xp.fft.fft(_x(xp), axis=0),
    "ifft": lambda xp: xp.fft.ifft(_x(xp), n=6),
    "fftn": lambda xp: xp.fft.fftn(_x(xp), norm="ortho"),
    "ifftn": lambda xp: xp.fft.ifftn(_x(xp), axes=(1,)),
    "rfft": lambda xp: xp.fft.rfft(_x(xp)),
    "irfft": lambda xp: xp.fft.irfft(_x(xp), n=6),
    "rfftn": lambda xp: xp.fft.rfftn(_x(xp), norm="forward"),
    "irfftn": lambda xp: xp.fft.irfftn(_x(xp)),
    "hfft": lambda xp: xp.fft.hfft(_x(xp)),
    "ihfft": lambda xp: xp.fft.ihfft(_x(xp)),
    "fftfreq": lambda xp: xp.fft.fftfreq(8, d=0.5, device="cpu"),
    "rfftfreq": lambda xp: xp.fft.rfftfreq(9, d=2.0),
    "fftshift": lambda xp: xp.fft.fftshift(_x(xp), axes=1),
    "ifftshift": lambda xp: xp.fft.ifftshift(_x(xp)),
}


@pytest.mark.parametrize("name", list(FFT))
def test_fft_extension(lazy_mode, name):
    run_both(FFT[name], rtol=1e-9, atol=1e-12)
