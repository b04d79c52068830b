"""Behaviours NumPy's own test suite checks on lazy arrays, each compared with NumPy in the
same test (``eager_threshold=0``: every array lazy)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import lazynp as lnp


def _outcome(fn):
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return r


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "full_like"])
def test_like_functions_order_and_shape(name):
    def layouts(xp):
        out = []
        protos = [xp.arange(6).reshape((2, 3), order="F"), xp.arange(6).reshape(2, 3),
                  xp.arange(24).reshape(2, 3, 4).swapaxes(0, 1)]
        fill = (2,) if name == "full_like" else ()
        for d in protos:
            for order, shape in itertools.product("KCFA", [None, (5, 6), (5, 6, 7)]):
                r = getattr(xp, name)(d, *fill, order=order, shape=shape)
                out.append((r.shape, r.strides, r.dtype, r.flags.c_contiguous,
                            r.flags.f_contiguous))
        return out
    with lnp.config(eager_threshold=0):
        assert layouts(lnp) == layouts(np)


def test_full_dtype_class_and_fill_overflow():
    with lnp.config(eager_threshold=0):
        for dt in (np.dtypes.StrDType, np.dtypes.BytesDType, np.dtypes.Int16DType):
            assert lnp.full(3, 1, dtype=dt).dtype == np.full(3, 1, dtype=dt).dtype
        for fill in (1000, np.int64(1000), "a", None, [1, 2, 300]):
            got = _outcome(lambda f=fill: lnp.full(3, f, np.int8).tolist())
            assert got == _outcome(lambda f=fill: np.full(3, f, np.int8).tolist())
        got = _outcome(lambda: lnp.full_like(lnp.ones(3, np.int8), 1000))
        assert got == _outcome(lambda: np.full_like(np.ones(3, np.int8), 1000))


def test_view_as_type_of_a_lazy_array():
    with lnp.config(eager_threshold=0):
        x = lnp.ones(3)
        got = lnp.array([1.0, 2.0]).view(type(x))
        want = np.array([1.0, 2.0]).view(np.ndarray)
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype
        assert got.tolist() == want.tolist()
        assert lnp.ones(2).view(type=type(x)).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("dtype", ["V0", "V3", "V10"])
def test_compare_unstructured_voids(dtype):
    def run(xp):
        z = xp.zeros(3, dtype=dtype)
        n = xp.array([b"1", b"2", b"3"], dtype=dtype) if dtype != "V0" else z
        return [(z == z).tolist(), (z != z).tolist(), (z == n).tolist(), (z != n).tolist()]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_clip_argument_rules():
    def run(xp):
        a = xp.arange(5)
        return [_outcome(lambda: xp.clip(a).tolist()),
                _outcome(lambda: xp.clip(a, min=2, max=3).tolist()),
                _outcome(lambda: xp.clip(a, 2)),
                _outcome(lambda: xp.clip(a, a_max=2)),
                _outcome(lambda: xp.clip(a, 1, 2, min=1)),
                _outcome(lambda: a.clip(1, 3).tolist())]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_fallback_returning_its_argument_returns_the_lazy_array():
    def run(xp):
        arr = xp.zeros((2, 2), [("junk", "i1"), ("a", "f8")])
        a = arr["a"]
        out = []
        for flag in ("C", "F", "A", "W", "O"):
            b = xp.require(a, None, [flag])
            c = xp.require(b, None, [flag])
            out.append((bool(b.flags[flag]), c is b))
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_flat_with_lazy_indices_and_values():
    def run(xp):
        a = xp.arange(9).reshape((3, 3))
        mask = xp.zeros(9, dtype=bool)
        mask[::2] = True
        idx = xp.array([[1, 2], [3, 4]])
        out = [a.flat[mask].tolist(), a.flat[idx].tolist(), a.flat[[True, 1]].tolist(),
               _outcome(lambda: a.flat[xp.zeros(10, dtype=bool)]), a.flat[4], len(a.flat),
               isinstance(a.flat, np.flatiter), a.flat.base is a, list(a.flat)[:3],
               (a.flat == 4).tolist(), a.flat.copy().tolist(), np.asarray(a.flat).tolist()]
        b = a.copy()
        b.flat[mask] = xp.arange(5) * 10
        b.flat[idx] = -1
        out.append(b.tolist())
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_flat_write_comes_after_pending_readers():
    with lnp.config(eager_threshold=0):
        a = lnp.arange(6.0)
        b = a * 2  # pending, reads a
        a.flat[[0, 1]] = 100.0
        assert b.tolist() == (np.arange(6.0) * 2).tolist()
        assert a.tolist() == [100.0, 100.0, 2.0, 3.0, 4.0, 5.0]


def test_base_of_views_is_one_object():
    def run(xp):
        a = xp.arange(6).reshape((2, 3))
        b = xp.einsum("...", a)
        c = xp.arange(10).copy()
        v = c[2:]
        return [b.base is a.base, a.base is a.base, v.base is c, c[[1, 2]].base is None]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_delitem_raises_numpys_error():
    def run(xp):
        a = xp.ones(10)

        def delete():
            del a[0]
        return _outcome(delete)
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_broadcast_of_lazy_arrays():
    import inspect

    def run(xp):
        arrs = [xp.empty((6, 7)), xp.empty((5, 6, 1)), xp.empty((7,)), xp.empty((5, 1, 7))]
        out = []
        for mit in (xp.broadcast(*arrs), xp.broadcast(xp.broadcast(*arrs[:2]), *arrs[2:]),
                    xp.broadcast(arrs[0], xp.broadcast(*arrs[1:-1]), arrs[-1]),
                    xp.broadcast(*arrs, **{})):
            out.append((mit.shape, mit.ndim, mit.nd, mit.numiter, mit.size,
                        isinstance(mit, np.broadcast),
                        [a is it.base for a, it in zip(arrs, mit.iters)]))
        b = xp.broadcast(xp.arange(3), xp.arange(2).reshape(2, 1))
        out.append(list(b))
        b.reset()
        out.append((b.index, next(b)))
        out.append(_outcome(lambda: xp.broadcast(1, x=1)))
        out.append(str(inspect.signature(xp.broadcast)))
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_ufunc_writing_an_input_operand():
    from numpy._core import _operand_flag_tests as opflag_tests

    def run(xp):
        a = xp.arange(16, dtype=int).reshape(4, 4)
        b = xp.arange(9, dtype=int).reshape(3, 3)
        opflag_tests.inplace_add(a[:-1, :-1], b)
        return a.tolist()
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_ufunc_with_a_numpy_subclass_operand_wraps_as_numpy():
    class Wrapping(np.ndarray):
        @classmethod
        def __array_wrap__(cls, array, context=None, return_scalar=False):
            return cls

    class Plain(np.ndarray):
        pass

    def run(xp):
        y = np.zeros(2).view(Wrapping)
        p = np.arange(2.0).view(Plain)
        z = xp.zeros(2)
        r = z + p
        return [xp.add(z, y), xp.add(y, z), z + y, type(r).__name__, r.tolist(),
                type(xp.multiply(z, p, dtype=np.float32)).__name__]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_broadcast_of_numpy_arrays_is_numpys_object():
    # the small tier stays NumPy's own: no lazynp object when no lazynp array is an argument
    b = lnp.broadcast(np.arange(3), np.arange(2).reshape(2, 1))
    assert type(b) is np.broadcast and isinstance(b, lnp.broadcast)
    assert b.shape == np.broadcast(np.arange(3), np.arange(2).reshape(2, 1)).shape


def test_array_copy_modes_and_order_of_a_lazy_array():
    def run(xp):
        c = xp.arange(81).reshape((9, 9))
        f = c.copy("F")
        out = [f.flags.f_contiguous, f.flags.c_contiguous, f.tolist()]
        for a in (c, f):
            for copy in (True, np._CopyMode.ALWAYS, None, np._CopyMode.IF_NEEDED, False,
                         np._CopyMode.NEVER):
                for order in ("K", "A", "C", "F"):
                    try:
                        r = xp.array(a, copy=copy, order=order)
                    except ValueError as e:
                        out.append(str(e))
                        continue
                    out.append((r is a, r.flags.c_contiguous, r.flags.f_contiguous, r.tolist()))
            for copy in (None, False):
                try:
                    out.append(xp.array(a, copy=copy, dtype=np.int32).dtype)
                except ValueError as e:
                    out.append(str(e))
            out.append(xp.asarray(a, order="F").flags.f_contiguous)
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_dunder_array_refuses_a_cast_without_copy():
    def run(xp):
        a = xp.ones((10, 10), dtype=int)
        out = [a.__array__(float).dtype, a.__array__(int, copy=False).dtype]
        with pytest.raises(ValueError) as e:
            a.__array__(float, copy=False)
        return out + [str(e.value)]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_conj_of_a_lazy_array_as_numpys():
    def run(xp):
        out = []
        for dt in ("?", "b", "h", "I", "e", "d"):
            a = xp.ones(10, dtype=dt)
            out.append(a.conj() is a)
        for dt in ("S", "U", "M8[ns]", "m8[s]"):
            with pytest.raises(TypeError, match="cannot conjugate non-numeric dtype"):
                xp.ones(10, dtype=dt).conj()
        a = xp.array([1 - 1j, 1 + 1j, 23 + 23.0j])
        o = xp.empty_like(a)
        out += [a.conjugate(o) is o, o.tolist()]
        i = xp.arange(3)
        o = xp.zeros(3)
        out += [i.conj(o) is o, o.tolist()]
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_device_of_a_lazy_array_is_read_only():
    def run(xp):
        a = xp.zeros(5)
        errs = []
        for f in (lambda: setattr(a, "device", "cpu"), lambda: delattr(a, "device")):
            with pytest.raises(AttributeError) as e:
                f()
            errs.append(str(e.value))
        return [a.device] + errs
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_resize_and_sizeof_of_a_lazy_array():
    import sys

    def run(xp):
        out = []
        x = xp.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        x.resize((5, 5))
        out.append(x.tolist())
        x.resize(5, 5)
        y = x
        for args in (((5, 1),), ("hi",), (-1,)):
            with pytest.raises((ValueError, TypeError)) as e:
                x.resize(*args)
            out.append((type(e.value), str(e.value)))
        del y
        x.resize(3, refcheck=False)
        out.append(x.tolist())
        v = xp.arange(4.0)[1:]
        with pytest.raises(ValueError) as e:
            v.resize(5)
        out.append(str(e.value))
        o = xp.array([1, "a", None], dtype=object)
        o.resize(5)
        out.append(o.tolist())
        d = xp.ones(100)
        old = sys.getsizeof(d)
        out.append(sys.getsizeof(d[...]) < old)
        d.resize(50)
        out.append(sys.getsizeof(d) < old)
        d.resize(150)
        out.append(sys.getsizeof(d) > old)
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_method_fallback_returns_the_lazy_out_array():
    def run(xp):
        a = xp.array([1.2, 1.5, 2.5])
        out = xp.zeros_like(a)
        res = a.round(out=out)
        return [res is out, out.tolist()]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_deepcopy_of_a_lazy_object_array_copies_the_objects():
    import copy

    class Failing:
        def __deepcopy__(self, *args, **kwargs):
            raise RuntimeError

    def run(xp):
        inner = [1]
        a = xp.array([inner, 2, 3], dtype=object)
        b = copy.deepcopy(a)
        b[0].append(2)
        with pytest.raises(RuntimeError):
            xp.array([1, Failing(), 3], dtype="O").__deepcopy__({})
        return [inner, b[0]]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_any_all_methods_take_numpys_dtype_argument():
    def run(xp):
        a = xp.ones(3, dtype=object)
        b = xp.arange(6).reshape(2, 3)
        return [a.any(dtype=object, keepdims=True).dtype, a.all(dtype=object, keepdims=True).dtype,
                b.any(0).tolist(), b.all(1, None, None, True).tolist(), b.all(where=b > 0)]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_longlong_cast_after_an_int64_one_keeps_its_scalar_type():
    # dtype('q') == dtype('l') on LP64: a cached kernel of one must not hand out the other
    def run(xp):
        out = []
        for dt in ("l", "q", "L", "Q"):
            v = xp.ones((1,)).astype(dt)
            out.append((v.dtype.char, type(xp.matmul(v, v)), type(v.sum())))
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_matmul_with_axes_and_inplace_matmul_shapes():
    def run(xp):
        a = xp.arange(3 * 4 * 5).reshape(3, 4, 5)
        out = [xp.matmul(a, a, axes=[(-2, -1), (-1, -2), (1, 2)]).shape,
               xp.matmul(a, a, axes=[(-2, -1), (-1, -2), (0, 1)]).shape]
        for sa, sb in (((5,), (5,)), ((2, 3), (3,)), ((3,), (3, 3)), ((2, 3), (3, 3)),
                       ((2, 3), (3, 1)), ((2, 3), (4, 3))):
            x = xp.arange(int(np.prod(sa))).reshape(sa).astype(np.float64)
            y = xp.arange(int(np.prod(sb))).reshape(sb)
            try:
                x @= y
                out.append(x.tolist())
            except ValueError as e:
                out.append(str(e))
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_eq_ne_without_a_loop_give_all_false_or_true():
    class MyArr(np.ndarray):
        pass

    def run(xp):
        out = []
        for dt1, dt2 in (("M8[ns]", "d"), ("M8[s]", "l"), ("m8[ns]", "d"), ("M8[s]", "m8[s]"),
                         ("S5", "U5")):
            a = xp.arange(100).astype(dt1)
            b = xp.arange(99)[:, np.newaxis].astype(dt2)
            for r in (a == b, a != b, b == a):
                out.append((r.shape, r.dtype, bool(r.any()), bool(r.all())))
        m = np.zeros(5).view(MyArr)
        z = xp.zeros(5, dtype="M8")
        out += [type(z == m).__name__, type(m != z).__name__]
        with pytest.raises(ValueError):
            _ = xp.zeros(3, dtype="M8") == xp.zeros(4)
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_power_two_is_numpys_square_for_every_non_object_dtype():
    def run(xp):
        out = [(xp.array([True, False] * 5) ** 2).tolist(),
               (xp.arange(10, dtype="i1") ** 2).dtype, (xp.arange(10) ** 2.0).dtype]
        for dt in ("m8[s]", "i4,i4"):
            with pytest.raises(TypeError) as e:
                _ = xp.zeros(10, dtype=dt) ** 2
            out.append(str(e.value))
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_field_index_of_a_pending_structured_array():
    def run(xp):
        a = xp.zeros(3, dtype=[("a", ("i4", (2, 2)))])
        a["a"] = xp.arange(12).reshape(3, 2, 2)
        c = a.T.copy()
        with pytest.raises(ValueError) as e:
            c["b"]
        return [c["a"].shape, c["a"].tolist(), str(e.value)]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_resize_of_a_lazy_zero_itemsize_array():
    def run(xp):
        out = []
        for dt in (bytes, np.void, str):
            zs = (xp.zeros(10, dtype=(dt, 0)) if dt is np.void
                  else xp.zeros(10, dtype=[("x", dt, 0)])["x"])
            zs.resize(25)
            zs.resize((10, 10))
            out.append((zs.shape, zs.dtype))
        return out
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)


def test_arange_of_bools_as_numpys():
    def run(xp):
        out = [xp.arange(2, dtype="bool").tolist(), xp.arange(6, 8, dtype="bool").tolist()]
        with pytest.raises(TypeError) as e:
            xp.arange(3, dtype="bool")
        return out + [str(e.value)]
    with lnp.config(eager_threshold=0):
        assert run(lnp) == run(np)
