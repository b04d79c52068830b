"""``lazynp.LazyArray`` (this module's ``ndarray``): the type of large and lazy arrays.

lazynp has two tiers.  Small work is NumPy's own: arrays under the eager threshold
(``eager_size``) are handed to the user as ``numpy.ndarray`` objects, and lazynp's ufuncs and
array functions are NumPy's own objects, so NumPy computes them at NumPy's cost with no
lazynp frame in the way.  A ``LazyArray`` is an array that lazynp created and owns and
that is large enough for fusion to pay (or that is pending); NumPy hands calls that involve
one over to lazynp (``__array_ufunc__`` / ``__array_function__``).  ``lazynp.ndarray`` is
``numpy.ndarray``; ``isinstance(x, numpy.ndarray)`` is also true for a ``LazyArray`` (its
``__class__``), so user code that checks types sees one array type.

A ``LazyArray`` is either

* Concrete: ``_data`` is a NumPy array (which may itself be a view of another buffer) and
  ``_node`` is None.  Basic slicing, ``.T``, ``reshape``... of a concrete array are done by
  NumPy at once (they cost O(1)) and give concrete views, so aliasing is NumPy's own.
* Lazy: ``_data`` is None and ``_node`` is a pending ``graph.Node``.  Shape, dtype, ndim,
  size... come from the node without forcing.  The first time a value is needed the engine
  forces the node, and the array becomes concrete around the node's result buffer.

Writes (``__setitem__``, in-place operators, ``out=``, mutating methods) always go to the
concrete buffer at the call, after ``_engine.before_write`` has forced every pending node that
still reads that memory (design rule 4, docs/design.md).  In-place operators keep object identity.

Cross-module helpers used by every other part of the front end:
  wrap(np_array)      concrete lazynp array around a NumPy array (no copy)
  lazy(node)          lazy lazynp array around a pending node
  asnumpy(x)          anything array-like -> NumPy array/scalar (forces lazynp arrays)
  node_of(x)          lazynp array -> graph node (a BUFFER leaf for concrete arrays)
  to_numpy(obj)       recursively replace lazynp arrays in lists/tuples/dicts by NumPy arrays
  from_numpy(obj)     a fresh NumPy result as handed out (small: NumPy's own; large: wrapped)
  hand_out(obj)       the same for results that may view lazynp-owned memory (views wrapped)
"""

from __future__ import annotations

import math
import operator
import sys
import weakref
from typing import Any
from weakref import ref as _weakref

import numpy as np

from . import _engine, _placement
from ._config import EAGER_LIMIT
from .graph.dtypes import shape_text, zero_stride_dummy
from .graph.node import Node, buffer_node
from .graph.ops import Op
from .graph.views import basic_index, index_without_arrays, is_basic_index

_new = object.__new__
_np_ndarray = np.ndarray
_np_memmap = np.memmap
ZERO_SIZE = "zero-size"  # ``_small`` of a concrete 0-size array (see ``from_numpy``)
MAPPED_CLASS = [_np_memmap]  # the class mapped memory reports: ``lazynp.memmap`` (_memmap.py)
_export = _engine.export
_np_empty = np.empty
_CPU_DLPACK_DEVICE = np.empty(0).__dlpack_device__()  # (kDLCPU, 0)


class ndarray:
    """A large or lazy NumPy-compatible n-dimensional array (``lazynp.LazyArray``).

    ``lazynp.ndarray`` is NumPy's own ``numpy.ndarray`` (the type of small arrays, of
    subclasses users define, of ``type(x) is np.ndarray`` checks); this class reports
    ``numpy.ndarray`` as its ``__class__``, so ``isinstance(x, numpy.ndarray)`` holds for it
    too, in user code and in NumPy's Python code (``numpy.testing``) alike, while ``type(x)``
    and NumPy's C code see a different type, which hands calls over to lazynp.
    """

    # _small: EAGER_LIMIT[1] while concrete, not 0-d and under the eager limit (ZERO_SIZE
    # when it has no element: NumPy computes, the result is a LazyArray), else None
    __slots__ = ("_data", "_small", "_node", "_leaf", "_base", "__weakref__")
    __array_priority__ = 1000.0
    __hash__ = None  # type: ignore[assignment]

    @property
    def __class__(self) -> type:  # type: ignore[override]
        d = self._data  # (memory mapped from a file: a memmap, as NumPy's views of one)
        if d is not None and d.base is not None and mapping_of(d) is not None:
            return MAPPED_CLASS[0]
        return _np_ndarray

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("lazynp.LazyArray objects are made by lazynp's functions "
                        "(lazynp.array, lazynp.asarray, ...), not by calling the type")

    # ------------------------------------------------------------------ state
    def _value(self) -> np.ndarray:
        d = self._data
        if d is None:
            node = self._node
            d = node.value
            if d is None:
                d = _engine.force(node)
            if _placement.RESIDENT:
                _placement.sync_host(d)  # (Python reads the value: its host copy is made)
            self._data = d
            self._node = None
        return d

    def force(self) -> ndarray:
        """Compute this array now (if lazy); returns self.  (A value computed on the GPU
        stays there: only reading it makes the host copy.)"""
        if self._data is None and self._node.value is None:
            _engine.force(self._node)
        return self

    @property
    def _is_lazy(self) -> bool:
        return self._data is None and self._node.value is None

    # ------------------------------------------------------- static metadata
    @property
    def shape(self) -> tuple[int, ...]:
        d = self._data
        return d.shape if d is not None else self._node.shape

    @shape.setter
    def shape(self, value: Any) -> None:
        self._set_view_attribute("shape", value)

    @property
    def dtype(self) -> np.dtype:
        d = self._data
        return d.dtype if d is not None else self._node.dtype

    @dtype.setter
    def dtype(self, value: Any) -> None:
        self._set_view_attribute("dtype", value)

    @property
    def strides(self) -> tuple[int, ...]:
        return self._value().strides

    @strides.setter
    def strides(self, value: Any) -> None:
        self._set_view_attribute("strides", value)

    def _set_view_attribute(self, name: str, value: Any) -> None:
        """``a.shape = s`` (``dtype``, ``strides``): this array becomes a view of its memory
        with the new attribute, NumPy checking it (errors and warnings are NumPy's).  The
        NumPy array that pending nodes read is left as it is."""
        v = self._value().view()
        setattr(v, name, value)
        self._data = v
        n = v.size
        self._small = None if n >= EAGER_LIMIT[0] or not v.ndim else EAGER_LIMIT[1] if n \
            else ZERO_SIZE

    @property
    def flat(self) -> Any:
        return flatiter(self)

    @flat.setter
    def flat(self, value: Any) -> None:
        d = self._value()
        if _engine._registry:
            _engine.before_write(d)
        d.flat = to_numpy(value)

    def view(self, *args: Any, **kwargs: Any) -> Any:
        # (``a.view(type(b))`` of a lazynp array ``b``: NumPy's ``ndarray``, which is what
        # ``type(b)`` is in NumPy; NumPy would take the class for a dtype, ``object``)
        args = tuple(_np_ndarray if a is ndarray else a for a in args)
        for key in ("dtype", "type"):
            if kwargs.get(key) is ndarray:
                kwargs[key] = _np_ndarray
        return _view_fallback(self, *args, **kwargs)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        d = self._data
        if d is not None:
            return d.size
        return math.prod(self._node.shape)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of unsized object")
        return shape[0]

    # ------------------------------------------------- properties that force
    @property
    def base(self) -> Any:
        d = self._value()
        if d.base is None:
            return None
        base = getattr(self, "_base", None)
        if base is None:
            # NumPy's base is one object, the owner of the memory: the one lazynp array
            # handed out for that NumPy buffer (``b.base is a.base`` for two views of it)
            b = d.base
            base = _BASES.get(id(b))
            if base is None or base._data is not b:
                base = hand_out(b)
                if type(base) is ndarray:
                    _BASES[id(b)] = base
            self._base = base
        return base

    @property
    def real(self) -> Any:
        if self._data is None and self._node.value is None and self._node.dtype.kind == "c":
            return _complex_part(self, "real")
        return hand_out(self._value().real)

    @real.setter
    def real(self, value: Any) -> None:
        d = self._value()
        value = to_numpy(value)
        _engine.before_write(d)
        d.real = value

    @property
    def imag(self) -> Any:
        if self._data is None and self._node.value is None and self._node.dtype.kind == "c":
            return _complex_part(self, "imag")
        return hand_out(self._value().imag)

    @imag.setter
    def imag(self, value: Any) -> None:
        d = self._value()
        value = to_numpy(value)
        _engine.before_write(d)
        d.imag = value

    # ------------------------------------------------------ forcing triggers
    def __repr__(self) -> str:
        return repr(self._value())

    def __str__(self) -> str:
        return str(self._value())

    def __format__(self, spec: str) -> str:
        return format(self._value(), spec)

    def __bool__(self) -> bool:
        return bool(self._value())

    def __int__(self) -> int:
        return int(self._value())

    def __float__(self) -> float:
        return float(self._value())

    def __complex__(self) -> complex:
        return complex(self._value())

    def __index__(self) -> int:
        return operator.index(self._value())

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        d = self._value()
        if d.ndim == 1:
            return iter(d)
        return (_view(row, self) for row in d)

    def __contains__(self, item: Any) -> bool:
        return to_numpy(item) in self._value()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        d = self._value()
        if dtype is not None and np.dtype(dtype) != d.dtype:
            if copy is False:
                np.empty(0, d.dtype).__array__(dtype, copy=False)  # (NumPy's ValueError)
            return d.astype(dtype)
        if copy:
            return d.copy()
        return _engine.export(d.view())  # NumPy code may write it

    def __array_wrap__(self, array: Any, context: Any = None, return_scalar: bool = False) -> Any:
        """NumPy's protocol: ``array`` (a NumPy result) as this type would hand it out."""
        array = to_numpy(array)
        if return_scalar and getattr(array, "ndim", None) == 0:
            return array[()]
        return from_numpy(array)

    def __reduce__(self) -> tuple:
        """Pickling forces: NumPy's pickle of the computed values, loaded by ``_unpickle``
        (no graph is shipped: docs/scale.md, "Dask")."""
        return (_unpickle, (self._value(),))

    def __sizeof__(self) -> int:
        """NumPy's: the array object, and its memory where it owns it."""
        return self._value().__sizeof__()

    def __copy__(self) -> ndarray:
        return self.copy()

    def __deepcopy__(self, memo: Any) -> ndarray:
        if self.dtype.hasobject:  # (NumPy's: a deep copy of each object)
            return from_numpy(self._value().__deepcopy__(memo))
        return self.copy()

    def __buffer__(self, flags: int) -> memoryview:  # Python >= 3.12 buffer protocol
        return memoryview(_engine.export(self._value().view()))

    def tolist(self) -> Any:
        return self._value().tolist()

    def item(self, *args: Any) -> Any:
        return self._value().item(*to_numpy(args))

    # -------------------------------------------------------------- indexing
    def __getitem__(self, key: Any) -> Any:
        d = self._data
        if d is not None:
            tk = type(key)
            if tk is int:
                r = d[key]
                if type(r) is not _np_ndarray:
                    return r
                base = r.base
            else:
                if tk is ndarray:
                    key = key._value()
                r = d[key]  # (lazynp arrays inside a tuple are read through __array__)
                if type(r) is not _np_ndarray:
                    return r
                base = r.base
                # (a basic index gives a view whose base is the memory's owner; an advanced
                # one a copy, whose base is None or a temporary of NumPy's)
                if base is None or (base is not d and base is not d.base):
                    _engine.count_fallback("ndarray.__getitem__ (advanced index)")
                    return from_numpy(r)
            n = r.size
            if n < EAGER_LIMIT[0] and n:  # (``_view``'s first case, one call less per row)
                return _export(r, base)
            return _view(r, self)
        return getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        if type(value) is ndarray and self._data is not None and value._data is None \
                and _is_basic(key):
            # a pending value into concrete memory (a loop's ``c[1:-1] = expr``): NumPy's own
            # indexing raises a bad key's error; a writeable view of the value's shape and
            # dtype leaves nothing for check_setitem to find
            target = self._data[key]
            node = value._node
            if (type(target) is _np_ndarray and target.shape == node.shape
                    and target.dtype == node.dtype and target.flags.writeable
                    and node.value is None):
                refcount = sys.getrefcount(value)  # (before `value` is pushed as an argument)
                release_temporary(value, refcount)
                _engine.assign(target, node)
                return
        if self._data is None or type(value) is ndarray:
            check_setitem(self, key, value)
        if type(value) is ndarray:
            node = value._node if value._data is None else None
            if node is not None and node.value is None and _is_basic(key):
                refcount = sys.getrefcount(value)  # (before `value` is pushed as an argument)
                release_temporary(value, refcount)
                target = self._value()[key]
                if type(target) is _np_ndarray:
                    _engine.assign(target, node)
                    return
            value = value._value()
        elif type(value) in (list, tuple):
            value = to_numpy(value)
        if type(key) is ndarray or (type(key) is tuple and _has_lazy(key)):
            key = to_numpy(key)
        d = self._value()
        if _engine._registry:
            _engine.before_write(d)
        d[key] = value

    def __delitem__(self, key: Any) -> None:
        raise ValueError("cannot delete array elements")

    # ----------------------------------------------------- lazynp extensions
    @property
    def T(self) -> ndarray:
        return self.transpose()

    @property
    def mT(self) -> ndarray:
        if self.ndim < 2:
            raise ValueError("matrix transpose with ndim < 2 is undefined")
        return self.swapaxes(-1, -2)

    # ------------------------------------------------------------- array API
    # (NumPy's own arrays answer these themselves: the small tier)
    def __array_namespace__(self, *, api_version: Any = None) -> Any:
        if api_version is not None:  # NumPy's check of the version (and its errors)
            _np_empty(0).__array_namespace__(api_version=api_version)
        return sys.modules[__package__]

    @property
    def device(self) -> str:
        # "cpu" as NumPy's, or "cuda:N" where the value lives on the GPU (docs/gpu.md)
        return _placement.device_of(self._data, getattr(self, "_node", None))

    @device.setter
    def device(self, value: Any) -> None:
        raise AttributeError("attribute 'device' of 'numpy.ndarray' objects is not writable")

    @device.deleter
    def device(self) -> None:
        raise AttributeError("attribute 'device' of 'numpy.ndarray' objects is not writable")

    # (to_device: _api/array_api.py, installed by _api/methods.py)

    def __dlpack__(self, *, stream: Any = None, max_version: Any = None,
                   dl_device: Any = None, copy: Any = None) -> Any:
        # (the consumer may write the memory: handed out as an exported view)
        return _engine.export(self._value().view()).__dlpack__(
            stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)

    def __dlpack_device__(self) -> tuple[int, int]:
        return _CPU_DLPACK_DEVICE


def _has_lazy(key: tuple) -> bool:
    for k in key:
        if type(k) is ndarray:
            return True
    return False


_is_basic = is_basic_index


# ------------------------------------------- indexing of pending arrays, assignment checks
def getitem(a: ndarray, key: Any) -> Any:
    """``a[key]`` for a lazy ``a``: basic indices record a view, others fall back."""
    if not is_basic_index(key):
        if index_without_arrays(key):
            zero_stride_dummy(a.shape, a.dtype)[key]  # IndexError for floats, strings... before forcing
        _engine.count_fallback("ndarray.__getitem__ (advanced index)")
        return from_numpy(a._value()[to_numpy(key)])
    key, shape, scalar = basic_index(a.shape, key)
    if scalar:
        return a._value()[key]
    if eager_size(math.prod(shape)):
        # A small part of a pending array (a row in a loop): NumPy would have computed the
        # whole array; computing it once and keeping it lets every later part be a view,
        # where recording each part would recompute and re-plan per part.
        a._value()
        return a[key]
    res = lazy(_engine.record(Node(Op.SLICE, (node_of(a),), {"key": key}, shape, a.dtype)))
    # (a view's base, as NumPy's: ``a``'s base when ``a`` is a view, else ``a``)
    base = getattr(a, "_base", None)
    res._base = a if base is None else base
    return res


def _is_array(x: Any) -> bool:
    return type(x) is ndarray or isinstance(x, np.ndarray)


def writeable(x: Any) -> bool:
    """Whether NumPy would let you write into ``x`` (decided without forcing)."""
    if type(x) is not ndarray:
        return bool(x.flags.writeable) if isinstance(x, np.ndarray) else True
    if x._data is not None:
        return bool(x._data.flags.writeable)
    node = x._node
    while node.value is None:
        if node.op is Op.BROADCAST_TO:
            return False
        if node.op not in (Op.SLICE, Op.TRANSPOSE, Op.RESHAPE):
            return True
        node = node.inputs[0]
    return bool(node.value.flags.writeable)


def check_setitem(a: ndarray, key: Any, value: Any) -> None:
    """Raise what ``a[key] = value`` would raise for shapes and indices alone."""
    if not writeable(a):
        raise ValueError("assignment destination is read-only")
    if a.dtype.names is not None:
        return  # field names, records: the assignment raises NumPy's errors itself
    if not is_basic_index(key):
        if index_without_arrays(key):
            zero_stride_dummy(a.shape)[key]  # IndexError for floats, strings, ...
        return
    _, shape, scalar = basic_index(a.shape, key)
    if scalar:
        # one element: NumPy's error depends on the dtypes (ValueError "setting an array
        # element with a sequence", TypeError for complex, none for a (1, 1) bool...), so
        # the assignment itself raises it
        return
    if _is_array(value):
        vshape = value.shape
    elif isinstance(value, (list, tuple)):
        vshape = np.shape(value)
    else:
        return
    trimmed = vshape
    while len(trimmed) > len(shape) and trimmed[0] == 1:
        trimmed = trimmed[1:]
    ok = len(trimmed) <= len(shape) and all(
        v in (1, s) for v, s in zip(trimmed[::-1], shape[::-1]))
    if not ok:
        raise ValueError(f"could not broadcast input array from shape {shape_text(vshape)} "
                         f"into shape {shape_text(shape)}")



def _view(r: np.ndarray, parent: ndarray) -> Any:
    """View ``r`` of ``parent``'s memory as handed out: NumPy's own when small (the small
    tier; exported, see ``_engine.export``), else (also when 0-size: ``from_numpy``) a
    lazynp array whose ``.base`` is ``parent``'s."""
    n = r.size
    if n < EAGER_LIMIT[0] and n:
        return _engine.export(r, r.base)
    obj = wrap(r)
    if r.base is not None:
        base = getattr(parent, "_base", None)
        obj._base = parent if base is None else base
    return obj


def _method_fallback(name: str) -> Any:
    """A method that forces the array and calls NumPy's method ``name`` (counted fallback)."""
    def method(self: ndarray, *args: Any, **kwargs: Any) -> Any:
        _engine.count_fallback(f"ndarray.{name}")
        d = self._value()
        given = (*args, *kwargs.values())
        args = to_numpy(args)
        kwargs = to_numpy(kwargs)
        if _engine._registry:
            _engine.before_write(d)  # the method may write into the buffer
        res = getattr(d, name)(*args, **kwargs)
        if type(res) is _np_ndarray:
            for a in given:  # (an ``out=`` lazynp array: the result is that array, as NumPy's)
                if type(a) is ndarray and a._data is res:
                    return a
        return hand_out(res)
    method.__name__ = name
    method.__doc__ = getattr(_np_ndarray, name).__doc__
    return method


class flatiter:
    """``a.flat`` of a lazynp array: NumPy's flat iterator over the forced array, with
    lazynp arrays as indices and values read as NumPy's, writes after the pending readers
    of the memory, and ``base`` the lazynp array (``isinstance(it, numpy.flatiter)``)."""

    __slots__ = ("_it", "_array", "__weakref__")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, array: ndarray, it: Any = None) -> None:
        self._array = array
        self._it = array._value().flat if it is None else it

    @property
    def __class__(self) -> type:  # type: ignore[override]
        return np.flatiter

    @property
    def base(self) -> ndarray:
        return self._array

    @property
    def index(self) -> int:
        return self._it.index

    @property
    def coords(self) -> tuple:
        return self._it.coords

    def __len__(self) -> int:
        return len(self._it)

    def __iter__(self) -> flatiter:
        return self

    def __next__(self) -> Any:
        return next(self._it)

    def __getitem__(self, key: Any) -> Any:
        return from_numpy(self._it[to_numpy(key)])

    def __setitem__(self, key: Any, value: Any) -> None:
        if _engine._registry:
            _engine.before_write(self._array._value())
        self._it[to_numpy(key)] = to_numpy(value)

    def __delitem__(self, key: Any) -> None:
        del self._it[key]

    def copy(self) -> Any:
        return from_numpy(self._it.copy())

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        return self._it.__array__(*args, **kwargs)

    def __reduce__(self) -> Any:
        return self._it.__reduce__()

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return from_numpy(self._it == to_numpy(other))

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return from_numpy(self._it != to_numpy(other))

    def __lt__(self, other: Any) -> Any:
        return from_numpy(self._it < to_numpy(other))

    def __le__(self, other: Any) -> Any:
        return from_numpy(self._it <= to_numpy(other))

    def __gt__(self, other: Any) -> Any:
        return from_numpy(self._it > to_numpy(other))

    def __ge__(self, other: Any) -> Any:
        return from_numpy(self._it >= to_numpy(other))


_view_fallback = _method_fallback("view")
# lazynp arrays handed out as ``.base`` by id of the NumPy buffer (alive while they are)
_BASES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _attribute_fallback(name: str) -> property:
    """A read-only attribute of NumPy's ndarray, read from the forced array."""
    def get(self: ndarray) -> Any:
        return hand_out(getattr(self._value(), name))
    return property(get, doc=getattr(_np_ndarray, name).__doc__)


def install_numpy_fallbacks(cls: type) -> None:
    """Give ``cls`` every public ndarray attribute it lacks, forcing and delegating.

    (A ``__getattr__`` hook would do this too, but it slows every attribute access of the
    class, ``_data`` on the hot path included.)
    """
    for name in dir(_np_ndarray):
        if name.startswith("_") or name in cls.__dict__ or hasattr(cls, name):
            continue
        if callable(getattr(_np_ndarray, name)):
            setattr(cls, name, _method_fallback(name))
        else:
            setattr(cls, name, _attribute_fallback(name))


# ----------------------------------------------------------------- helpers
def wrap(data: np.ndarray) -> ndarray:
    """A concrete lazynp array around NumPy array ``data`` (shares its memory)."""
    obj = _new(ndarray)
    obj._data = data  # _node, _leaf, _base stay unset: read only through getattr defaults
    # (0-d arrays are never marked: NumPy turns their ufunc results into scalars)
    n = data.size
    obj._small = None if n >= EAGER_LIMIT[0] or not data.ndim else EAGER_LIMIT[1] if n \
        else ZERO_SIZE
    return obj


def _unpickle(data: np.ndarray) -> ndarray:
    """A concrete lazynp array around ``data`` (NumPy's loaded array) when that owns its
    memory or views the pickle's own ``bytes`` / ``bytearray`` (in band, or buffers received
    from another process), else around a copy: lazynp never takes over another object's
    memory, which its owner could write behind the write registry (docs/scale.md)."""
    owner = data
    while (nxt := owner.base if isinstance(owner, _np_ndarray) else
           owner.obj if type(owner) is memoryview else None) is not None:
        owner = nxt
    if owner is not data and type(owner) is not bytes and type(owner) is not bytearray:
        copy = data.copy(order="K")
        copy.flags.writeable = data.flags.writeable
        data = copy
    return wrap(data)


def mapping_of(d: np.ndarray) -> Any:
    """The ``numpy.memmap`` whose mapping holds ``d``'s memory (its base chain), or None."""
    b = d.base
    while b is not None:
        if isinstance(b, _np_memmap):
            return b
        b = getattr(b, "base", None)
    return None


def _complex_part(a: ndarray, part: str) -> ndarray:
    """``a.real`` / ``a.imag`` of a pending complex array: a lazy view (the float parts
    read in place, strided, by the kernels that use them; forced alone, a NumPy view of the
    realized complex buffer, as NumPy's)."""
    node = a._node
    dtype = np.empty(0, dtype=node.dtype).real.dtype
    op = Op.REAL if part == "real" else Op.IMAG
    return lazy(_engine.record(Node(op, (node,), None, node.shape, dtype)))


def lazy(node: Node) -> ndarray:
    """A lazy lazynp array around pending node ``node``."""
    obj = _new(ndarray)
    obj._data = None
    obj._small = None
    obj._node = node
    node.holder = _weakref(obj)
    return obj


def node_of(x: ndarray) -> Node:
    """The graph node that stands for ``x`` as an input of a new node."""
    d = x._data
    if d is None:
        return x._node
    if _engine._exports and _engine.exported(d):
        return buffer_node(d.copy())  # a NumPy view may write it before the node is forced
    leaf = getattr(x, "_leaf", None)
    if leaf is None or leaf.value is not d or leaf.shape != d.shape:
        leaf = x._leaf = buffer_node(d)
    return leaf


def release_temporary(x: ndarray, refcount: int) -> None:
    """Forget that ``x`` holds its node when ``x`` is a temporary of the running statement.

    ``refcount`` is ``sys.getrefcount(x)`` taken in a dunder method's frame: 3 means only the
    caller's evaluation stack, the frame and the call itself refer to ``x`` (CPython), so no
    variable or container can reach it after the statement and its node is not "held".
    """
    if refcount <= 3 and x._data is None:
        x._node.holder = None


def is_lazy(x: Any) -> bool:
    """True while ``x`` is a lazynp array whose value has not been computed."""
    return type(x) is ndarray and x._is_lazy


def asnumpy(x: Any) -> Any:
    """NumPy array (or scalar) for anything array-like; forces lazynp arrays."""
    if type(x) is ndarray:
        return x._value()
    if isinstance(x, (np.ndarray, np.generic)):
        return x
    return np.asarray(to_numpy(x))


def to_numpy(obj: Any) -> Any:
    """Replace lazynp arrays (also inside lists, tuples, dicts) by their NumPy values."""
    t = type(obj)
    if t is ndarray:
        return obj._value()
    if t is list:
        return [to_numpy(o) for o in obj] if _contains_lazynp(obj) else obj
    if t is tuple:
        return tuple(to_numpy(o) for o in obj) if _contains_lazynp(obj) else obj
    if t is dict:
        return {k: to_numpy(v) for k, v in obj.items()}
    return obj


def _contains_lazynp(seq: Any) -> bool:
    for o in seq:
        t = type(o)
        if t is ndarray or ((t is list or t is tuple or t is dict) and _contains_lazynp(
                o.values() if t is dict else o)):
            return True
    return False


def from_numpy(obj: Any) -> Any:
    """The array to hand out for ``obj``, memory NumPy just allocated in a call lazynp made
    with a lazynp operand (also inside tuples, named tuples and lists): NumPy's own array
    when small (the small tier), else a lazynp array that owns it.  A 0-size result (not
    0-d) is a lazynp array too: it carries no work, and a 0-size array made from a lazynp
    one keeps its type (Dask's ``meta``; docs/tiers.md).  (``created``: no lazynp operand.)"""
    t = type(obj)
    if t is _np_ndarray:
        # (0-d arrays are always small: NumPy's own, as NumPy's ufuncs make scalars of them)
        n = obj.size
        return obj if (n < EAGER_LIMIT[0] and n) or not obj.ndim else wrap(obj)
    if t is tuple or t is list or isinstance(obj, tuple):
        return _each(from_numpy, obj)
    return obj


def created(obj: Any) -> Any:
    """``from_numpy`` for a result of a call without lazynp operands (creation functions,
    random draws): a 0-size array is NumPy's own too, as every small one."""
    return obj if type(obj) is _np_ndarray and obj.size < EAGER_LIMIT[0] else from_numpy(obj)


def hand_out(obj: Any) -> Any:
    """``from_numpy`` for results that may be views of lazynp-owned memory (what a NumPy
    function or method returns for lazynp arguments): a small view is exported (writes
    through it are NumPy's, so lazynp snapshots that memory for nodes recorded while it
    lives), a large one wrapped (writes go through lazynp, which first forces the pending
    nodes that read that memory).  A 0-size one is wrapped, as in ``from_numpy``."""
    t = type(obj)
    if t is _np_ndarray:
        n = obj.size
        if (n < EAGER_LIMIT[0] and n) or not obj.ndim:
            return obj if obj.base is None else _engine.export(obj)
        return wrap(obj)
    if t is tuple or t is list or isinstance(obj, tuple):
        return _each(hand_out, obj)
    return obj


def _each(fn: Any, obj: Any) -> Any:
    t = type(obj)
    if t is tuple:
        return tuple(fn(o) for o in obj)
    if t is list:
        return [fn(o) for o in obj]
    if hasattr(t, "_make"):
        return t._make(fn(o) for o in obj)
    return obj


def eager_size(size: int) -> bool:
    """The tier decision, made here only: whether a result of ``size`` elements with only
    concrete inputs is computed at once by NumPy (and handed out as a NumPy array) rather than
    recorded in the graph.  ``config.eager_threshold``, calibrated by
    ``bench/calibrate_threshold.py``: below it, the fixed costs of the lazy tier (recording,
    plan lookup, launch) exceed what fusion saves."""
    return size < EAGER_LIMIT[0]
