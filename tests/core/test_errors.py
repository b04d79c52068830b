"""Errors NumPy raises for bad arguments are raised by lazynp at the call, with NumPy's type.

The inputs are lazy graph nodes (``eager_threshold=0`` and an elementwise op on them), so
lazynp has to detect the problem from shapes and dtypes alone. After the failed call the
inputs must still be lazy: nothing was forced to find the error.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import lazynp as lnp
from tests.helpers import assert_raises_like

# name -> source run with a (2, 3) float array ``a``, a (4,) int array ``b``, a 0-d ``z``
CASES = {
    # broadcasting
    "broadcast add": "a + b",
    "broadcast ufunc": "xp.maximum(a, b)",
    "broadcast inplace": "a += xp.ones((3, 3))",
    "inplace output grows": "b += xp.ones((2, 4), dtype=np.int64)",
    "broadcast_to": "xp.broadcast_to(a, (3, 3))",
    "broadcast_to fewer dims": "xp.broadcast_to(a, (3,))",
    "where shapes": "xp.where(a > 0, a, b)",
    "setitem shape": "a[0] = b",
    "setitem slice shape": "a[:, :2] = xp.ones(3)",
    # axes
    "sum axis": "a.sum(axis=2)",
    "sum negative axis": "xp.sum(a, axis=-3)",
    "sum duplicate axes": "a.sum(axis=(0, 0))",
    "mean axis": "a.mean(axis=5)",
    "max axis tuple": "a.max(axis=(0, 2))",
    "argmax axis tuple": "a.argmax(axis=(0, 1))",
    "argmin axis": "xp.argmin(a, axis=2)",
    "std axis": "a.std(axis=-3)",
    "any axis": "a.any(axis=7)",
    "moveaxis": "xp.moveaxis(a, 0, 2)",
    "swapaxes": "a.swapaxes(0, 3)",
    "expand_dims": "xp.expand_dims(a, 4)",
    "squeeze axis out of range": "a.squeeze(axis=3)",
    "squeeze non-unit axis": "a.squeeze(axis=0)",
    "transpose perm": "a.transpose((0, 0))",
    "transpose perm length": "a.transpose((1, 0, 2))",
    "concatenate axis": "xp.concatenate([a, a], axis=2)",
    "concatenate shapes": "xp.concatenate([a, b])",
    "concatenate ndim": "xp.concatenate([a, z])",
    "stack shapes": "xp.stack([a, a.T])",
    "stack axis": "xp.stack([a, a], axis=4)",
    "reduce empty min": "xp.zeros((0, 3)).min(axis=0)",
    "reduce empty argmax": "xp.zeros((0,)).argmax()",
    "z axis": "z.sum(axis=1)",
    # indexing
    "index out of bounds": "a[2]",
    "negative index out of bounds": "a[-3]",
    "second index out of bounds": "a[0, 3]",
    "too many indices": "a[0, 0, 0]",
    "float index": "a[1.5]",
    "string index": "a['x']",
    "0-d index": "z[0]",
    "fancy index out of bounds": "b[[0, 5]]",
    "bool mask shape": "b[xp.array(np.array([True, False]))]",
    "setitem out of bounds": "b[4] = 1",
    "two ellipses": "a[..., ...]",
    # reshape
    "reshape size": "a.reshape(4)",
    "reshape two unknowns": "a.reshape(-1, -1)",
    "reshape not divisible": "a.reshape(4, -1)",
    "xp.reshape": "xp.reshape(b, (3, 3))",
    # casting / types
    "inplace float to int": "b += 1.5",
    "inplace complex to float": "a *= 1j",
    "bool subtract": "(a > 0) - (a > 1)",
    "bool negative": "-(a > 0)",
    "bitwise on float": "a & 1",
    "shift on float": "a << 2",
    "python int overflow": "xp.array(np.arange(3, dtype=np.uint8)) + 300",
    "python int negative to unsigned": "xp.array(np.arange(3, dtype=np.uint8)) * -1",
    "astype safe": "a.astype(np.int8, casting='safe')",
    "ufunc casting no": "xp.add(b, b * 1.0, casting='no')",
    "ufunc out casting": "xp.add(a, 1.5, out=xp.zeros((2, 3), dtype=np.int64))",
    "isnat on float": "xp.isnat(a)",
    "int negative power scalar": "b ** -1",
    "dtype error wins over broadcast error": "xp.bitwise_and(a, b[:2])",
    "ufunc bad kwarg": "xp.add(a, a, bogus=1)",
    "ufunc too many args": "xp.sin(a, a, a)",
    "matmul shapes": "a @ b",
    # other value errors decided by shape
    "truth value": "bool(a)",
    "truth value empty": "bool(xp.zeros(0))",
    "int of array": "int(b)",
    "float of array": "float(a)",
    "index of float": "range(10)[z]",
    "len of 0-d": "len(z)",
    "iter of 0-d": "iter(z)",
    "read-only broadcast": "xp.broadcast_to(b, (2, 4))[0, 0] = 1",
    "read-only broadcast inplace": "bb = xp.broadcast_to(b, (2, 4)); bb += 1",
    "ones bad shape": "xp.ones((2, -1))",
    "zeros bad dtype": "xp.zeros(3, dtype='nonsense')",
    "arange zero step": "xp.arange(0, 5, 0)",
    "linspace negative num": "xp.linspace(0, 1, -3)",
    "full shape": "xp.full((2, -2), 1.0)",
    "eye negative": "xp.eye(-1)",
}


def _namespace(xp, lazy_inputs: bool):
    a = xp.array(np.arange(6.0).reshape(2, 3))
    b = xp.array(np.arange(4))
    z = xp.array(np.array(3.5))
    if lazy_inputs:
        a = a * 1.0
        b = b + 0
        # a 0-d ufunc result would be a NumPy scalar: make a lazy 0-d *array* via a view
        z = (xp.array(np.array([3.5])) * 1.0).reshape(())
    return {"xp": xp, "np": np, "a": a, "b": b, "z": z}


@pytest.mark.parametrize("name", list(CASES))
def test_error_type_matches_numpy(lazy_mode, name):
    src = CASES[name]

    def run(xp):
        ns = _namespace(xp, lazy_inputs=lazy_mode == "lazy")
        with np.errstate(all="ignore"):
            exec(src, ns)

    assert_raises_like(lambda: run(np), lambda: run(lnp))


# conversions force by definition; advanced indexing is an eager fallback (forces inputs)
NO_FORCE_CASES = [
    n for n in CASES
    if not n.startswith(("truth", "int of", "float of", "index of", "fancy", "bool mask"))
]


@pytest.mark.parametrize("name", NO_FORCE_CASES)
def test_error_raised_at_the_call_without_forcing(always_lazy, name):
    """The failing call itself raises; its lazy inputs are left unforced."""
    src = CASES[name]
    ns = _namespace(lnp, lazy_inputs=True)
    inputs = {k: ns[k] for k in ("a", "b", "z")}
    for k, v in inputs.items():
        assert lnp.is_lazy(v), f"test setup: {k} should be a lazy node"
    with np.errstate(all="ignore"):
        try:
            exec(src, ns)
        except Exception:  # noqa: BLE001 - the type is checked by the test above
            pass
        else:
            raise AssertionError(f"{src!r} did not raise on lazynp")
    # the target of an assignment / in-place op may be realized to be written into
    target = ""
    m = re.match(r"^(?:bb = [^;]*; )?(.*?)\s*(?:[-+*/%&|^<>@]|//|\*\*)?=(?!=)", src)
    if m and "(" not in m.group(1).split("[")[0]:
        target = m.group(1)
    if "broadcast_to(b" in src:  # writes into a read-only view of b: b is the target
        target = src
    used = [
        k for k in inputs
        if re.search(rf"\b{k}\b", src) and not re.search(rf"\b{k}\b", target)
    ]
    for k in used:
        assert lnp.is_lazy(inputs[k]), (
            f"{src!r}: input {k} was forced to detect an error that its shape/dtype decide"
        )


def test_axis_error_is_numpy_axis_error(lazy_mode):
    a = lnp.array(np.ones((2, 3))) * 2
    with pytest.raises(np.exceptions.AxisError):
        a.sum(axis=3)
    with pytest.raises(np.exceptions.AxisError):
        lnp.mean(a, axis=(0, -3))
    # AxisError is both a ValueError and an IndexError, like NumPy's
    with pytest.raises(ValueError):
        a.max(axis=2)
    with pytest.raises(IndexError):
        a.min(axis=-4)


def test_zero_d_reductions_accept_axis_zero(lazy_mode):
    """NumPy quirk: sum/prod/min/max/any/all/argmin/argmax of a 0-d array accept axis 0/-1."""
    for name in ("sum", "prod", "min", "max", "any", "all", "argmin", "argmax", "mean", "std"):
        for axis in (0, -1, (0,), 1):
            for keepdims in (False, True):
                if name in ("argmin", "argmax") and isinstance(axis, tuple):
                    continue

                def fn(xp, name=name, axis=axis, keepdims=keepdims):
                    z = xp.array(np.array(2.5))
                    return getattr(xp, name)(z, axis=axis, keepdims=keepdims)

                try:
                    expected = fn(np)
                except Exception:  # noqa: BLE001
                    assert_raises_like(lambda fn=fn: fn(np), lambda fn=fn: fn(lnp))
                    continue
                got = fn(lnp)
                assert type(got) is type(expected) or isinstance(got, lnp.ndarray), (
                    name, axis, keepdims, got, expected)
                np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
                assert np.asarray(got).shape == np.asarray(expected).shape


def test_negative_integer_power_of_an_empty_array_is_fine():
    """NumPy's loop raises for a negative integer exponent; an empty operand never runs it."""
    for mode in (False, True):
        with lnp.config(eager=mode):
            got = lnp.power(lnp.array(np.array([], dtype=bool)), -1)
            want = np.power(np.array([], dtype=bool), -1)
            assert np.asarray(got).dtype == want.dtype and np.asarray(got).shape == (0,)
            with pytest.raises(ValueError, match="negative integer powers"):
                lnp.power(lnp.array(np.array([3])), -1)


def test_gpu_device_is_refused_without_a_gpu():
    # a setting must not silently do nothing: device=gpu needs CuPy and a device
    from lazynp.codegen_gpu import runtime
    if runtime.available() is None:
        pytest.skip("a GPU is available here")
    with pytest.raises(ValueError, match="device='gpu' is not available"):
        lnp.config.set(device="gpu")
    with pytest.raises(ValueError, match="must be cpu, gpu or auto"):
        lnp.config.set(device="tpu")
    assert lnp.config.device == "cpu"
    with pytest.raises(ValueError, match="one of reference, llvm"):
        lnp.config.set(backend="fast")
