"""Random NumPy programs, run on NumPy and replayed on lazynp.

A *program* is a list of Python source lines written against a module called ``xp``::

    v0 = xp.array(_in0)
    v1 = v0[::-1, None]
    v2 = xp.sin(v1) + 2
    v0 += 1
    v3 = v2.sum(axis=(0,), keepdims=True)

:class:`ProgramBuilder` draws it step by step from a Hypothesis ``data`` object while it runs
each line on NumPy, so every choice can depend on the shapes and dtypes computed so far
(broadcast-compatible operands, valid axes, loops that exist for the dtypes). Most lines are
checked for validity on dummy arrays first; a few invalid ones are kept on purpose, and the
program then ends with NumPy's exception, which lazynp must reproduce (same type or a
subclass), either at the line itself or when its results are forced.

While NumPy runs, the builder also estimates for every variable an absolute error bound of the
values lazynp may legitimately produce (see ``ERR_*`` below):

* ``0``: lazynp must produce the same bits (integer ops, IEEE-exact float ops such as
  ``+ - * / sqrt``, comparisons, copies, casts, min/max, ...);
* ``> 0``: an approximation is allowed (libm-style functions, float reductions that may be
  summed in a different order) and is propagated through later continuous operations;
* ``None``: the values are not comparable (a discontinuous op such as ``floor`` or ``<`` was
  applied to an approximate value; an out-of-range float->int cast, which is undefined
  behaviour in C); only type, dtype and shape are compared.

:func:`run_lazy` replays the lines on lazynp, forces every variable (in a drawn order) and
compares each one with :func:`tests.helpers.assert_same` semantics.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import note
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.helpers import ALL_DTYPES, compare_arrays, is_lazynp_array, to_numpy

# ---------------------------------------------------------------------------------------------
# op tables
# ---------------------------------------------------------------------------------------------

ALL_UFUNC_NAMES = sorted(
    n
    for n in dir(np)
    if isinstance(getattr(np, n), np.ufunc)
    and getattr(np, n).signature is None
    and getattr(np, n).nin in (1, 2)
)
UNARY_UFUNCS = [n for n in ALL_UFUNC_NAMES if getattr(np, n).nin == 1]
BINARY_UFUNCS = [n for n in ALL_UFUNC_NAMES if getattr(np, n).nin == 2]

BINARY_OPERATORS = {
    "add": "+",
    "subtract": "-",
    "multiply": "*",
    "divide": "/",
    "floor_divide": "//",
    "remainder": "%",
    "power": "**",
    "bitwise_and": "&",
    "bitwise_or": "|",
    "bitwise_xor": "^",
    "left_shift": "<<",
    "right_shift": ">>",
    "less": "<",
    "less_equal": "<=",
    "equal": "==",
    "not_equal": "!=",
    "greater": ">",
    "greater_equal": ">=",
}
INPLACE_OPERATORS = {
    k: v + "=" for k, v in BINARY_OPERATORS.items() if k not in (
        "less", "less_equal", "equal", "not_equal", "greater", "greater_equal"
    )
}
UNARY_OPERATORS = {"negative": "-{}", "positive": "+{}", "absolute": "abs({})", "invert": "~{}"}

# Results of these are bit-exact given exact inputs, for real (and integer/bool) dtypes.
EXACT_REAL = {
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "positive", "square",
    "reciprocal", "sqrt", "absolute", "abs", "fabs", "maximum", "minimum", "fmax", "fmin",
    "conj", "conjugate", "equal", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not", "isnan",
    "isinf", "isfinite", "signbit", "floor", "ceil", "trunc", "rint", "sign", "floor_divide",
    "remainder", "mod", "fmod", "divmod", "copysign", "nextafter", "spacing", "heaviside",
    "ldexp", "frexp", "modf", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "bitwise_invert", "invert", "left_shift", "right_shift", "bitwise_left_shift",
    "bitwise_right_shift", "gcd", "lcm", "bitwise_count", "isnat",
}
# ... and for complex operands only these (complex * / abs sqrt ... are libm-like)
EXACT_COMPLEX = {
    "add", "subtract", "negative", "positive", "conj", "conjugate", "equal", "not_equal",
    "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
    "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "maximum", "minimum", "fmax",
    "fmin",
}
# Ops whose approximate result error follows from the inputs' (continuous, Lipschitz ops).
PROPAGATE_MAX = {
    "negative", "positive", "absolute", "abs", "fabs", "conj", "conjugate", "maximum",
    "minimum", "fmax", "fmin",
}
# Results stay comparable when inputs are approximate: we demand NaN/inf positions match.
NONFINITE_TESTS = {"isnan", "isinf", "isfinite"}
# Integer-valued ops that are exact for integer inputs whatever the table above says.
INT_EXACT_LIBM = {"power", "float_power"}

ERR_SAFETY = 4.0  # multiply estimated bounds by this before comparing
LIBM_ULPS = 8.0  # allowed error of a libm-style function, in eps * max|result|
REDUCE_ULPS = 2.0  # allowed reordering error of a float reduction, in N * eps * sum|x|

REDUCTIONS = ["sum", "prod", "min", "max", "mean", "std", "var", "any", "all", "argmin",
              "argmax", "ptp"]


def _eps(dtype: np.dtype) -> float:
    dtype = np.dtype(dtype)
    if dtype.kind in "fc":
        return float(np.finfo(dtype).eps)
    return 0.0


def _tiny(dtype: np.dtype) -> float:
    dtype = np.dtype(dtype)
    if dtype.kind in "fc":
        return float(np.finfo(dtype).tiny)
    return 0.0


def _zero_tie(args: list[Any]) -> bool:
    """Whether some element pair of a binary op is a +0/-0 tie."""
    a, b = (np.asarray(x) for x in args)
    with np.errstate(all="ignore"):
        return bool(np.any((a == 0) & (b == 0) & (np.signbit(a) != np.signbit(b))))


def _finite_abs(x: Any) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind in "biu":
        return np.abs(a.astype(np.float64)).ravel()
    if a.dtype.kind not in "fc":
        return np.zeros(0)
    with np.errstate(all="ignore"):
        m = np.abs(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)).ravel()
    return m[np.isfinite(m)]


def max_abs(x: Any) -> float:
    m = _finite_abs(x)
    return float(m.max()) if m.size else 0.0


def min_abs_nonzero(x: Any) -> float:
    m = _finite_abs(x)
    m = m[m > 0]
    return float(m.min()) if m.size else math.inf


def _dtype_of(x: Any) -> np.dtype:
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype
    return np.asarray(x).dtype


def _combine_none(*errs: float | None) -> float | None:
    if any(e is None for e in errs):
        return None
    return max(errs) if errs else 0.0


def elementwise_err(
    name: str, args: list[Any], errs: list[float | None], result: Any
) -> float | None:
    """Error bound of ``ufunc name(*args)`` (see module docstring)."""
    if any(e is None for e in errs):
        return None
    rdt = _dtype_of(result)
    if name in ("fmax", "fmin") and rdt.kind == "f" and _zero_tie(args):
        # +0/-0 ties: NumPy's own sign depends on its loop (its SIMD loop gives the second
        # operand, its scalar loop the first), so the sign of such a zero is not compared
        return _tiny(rdt)
    in_kinds = {_dtype_of(a).kind for a in args}
    approx_in = any(e > 0 for e in errs)
    complex_in = "c" in in_kinds
    if name == "reciprocal" and rdt.kind in "iu":
        # 1/0 for integers is undefined behaviour in C (NumPy happens to give INT_MIN)
        return None if any(np.any(np.asarray(a) == 0) for a in args) else 0.0
    if not approx_in:
        if rdt.kind in "biu" and in_kinds <= set("biu"):
            return 0.0
        exact_set = EXACT_COMPLEX if complex_in else EXACT_REAL
        if name in exact_set:
            return 0.0
        eps = _eps(rdt) or _eps(np.float64)
        return LIBM_ULPS * eps * max_abs(result) + LIBM_ULPS * _tiny(rdt)
    # approximate inputs
    if name in NONFINITE_TESTS:
        return 0.0
    if complex_in and name not in EXACT_COMPLEX:
        return None
    eps = _eps(rdt)
    mr = max_abs(result)
    if name in PROPAGATE_MAX:
        return max(errs)
    if name in ("add", "subtract"):
        return sum(errs) + eps * mr
    if name == "multiply":
        ea, eb = errs
        ma, mb = max_abs(args[0]), max_abs(args[1])
        return ea * mb + eb * ma + ea * eb + eps * mr
    if name == "square":
        (ea,) = errs
        return 2 * max_abs(args[0]) * ea + ea * ea + eps * mr
    if name in ("divide", "true_divide"):
        ea, eb = errs
        if eb > 0:
            return None
        mb = min_abs_nonzero(args[1])
        if np.any(np.asarray(args[1]) == 0) or not math.isfinite(mb):
            return None
        return ea / mb + eps * mr
    return None


def cast_err(src: Any, err: float | None, dst: np.dtype) -> float | None:
    """Error bound after casting ``src`` (error ``err``) to ``dst`` (astype/setitem/out)."""
    if err is None:
        return None
    sdt = _dtype_of(src)
    dst = np.dtype(dst)
    if sdt.kind in "fc" and dst.kind in "iub":
        if err > 0:
            return None
        if dst.kind == "b":
            return 0.0
        vals = np.asarray(src)
        if sdt.kind == "c":
            vals = vals.real
        with np.errstate(all="ignore"):
            if not np.all(np.isfinite(vals)):
                return None
            info = np.iinfo(dst)
            if np.any(vals <= float(info.min) - 1) or np.any(vals >= float(info.max) + 1):
                return None
        return 0.0
    if err == 0:
        return 0.0
    if dst.kind in "fc":
        return err + _eps(dst) * max_abs(src)
    return None


def reduction_err(
    name: str, x: Any, err: float | None, axis: Any, ddof: int, result: Any
) -> float | None:
    """Error bound of a reduction ``name`` of ``x`` over ``axis``."""
    if err is None:
        return None
    xa = np.asarray(x)
    kind = xa.dtype.kind
    if xa.ndim == 0:
        n = 1
    elif axis is None:
        n = xa.size
    else:
        axes = axis if isinstance(axis, tuple) else (axis,)
        n = 1
        for ax in axes:
            n *= xa.shape[ax]
    rdt = _dtype_of(result)
    eps = _eps(rdt) if rdt.kind in "fc" else _eps(np.float64)
    if name in ("min", "max"):
        if err > 0 and kind == "c":
            return None
        return err
    if name == "ptp":
        if err > 0 and kind == "c":
            return None
        return 0.0 if err == 0 else 2 * err + eps * max_abs(result)
    if name in ("any", "all", "argmin", "argmax"):
        return 0.0 if err == 0 else None
    if kind in "biu" and name in ("sum", "prod"):
        return 0.0
    if kind in "biu" and rdt.kind in "iu":
        return 0.0
    finite = _finite_abs(xa)
    fmax = float(np.finfo(rdt).max) if rdt.kind in "fc" else float(np.finfo(np.float64).max)
    if name == "sum":
        s = float(finite.sum())
        if s > fmax / 4:
            return None
        return n * err + REDUCE_ULPS * n * eps * s + LIBM_ULPS * _tiny(rdt)
    if name == "mean":
        s = float(finite.sum())
        if s > fmax / 4:
            return None
        return err + REDUCE_ULPS * eps * s + eps * max_abs(result) + LIBM_ULPS * _tiny(rdt)
    if name == "prod":
        if err > 0:
            return None
        big = float(np.sum(np.log2(np.maximum(finite, 1.0)))) if finite.size else 0.0
        nz = finite[finite > 0]
        small = float(np.sum(np.log2(np.minimum(nz, 1.0)))) if nz.size else 0.0
        if big > math.log2(fmax) - 2:
            return None
        if small < math.log2(_tiny(rdt)) + 20 and big > 0:
            return None
        return 2 * REDUCE_ULPS * n * eps * 2.0**big + LIBM_ULPS * n * _tiny(rdt)
    if name in ("var", "std"):
        if n == 0:
            return 0.0
        if n - ddof <= 0:
            return None
        m = max_abs(xa)
        d = 2 * m
        if n * d * d > fmax / 4:
            return None
        em = err + REDUCE_ULPS * n * eps * m
        scale = n / (n - ddof)
        ev = scale * (2 * d * em + em * em + REDUCE_ULPS * n * eps * d * d)
        ev += LIBM_ULPS * _tiny(rdt)
        if name == "var":
            return ev
        return math.sqrt(ev) + eps * max_abs(result)
    return None


# ---------------------------------------------------------------------------------------------
# value strategies
# ---------------------------------------------------------------------------------------------

def _float_elements(dtype: np.dtype, specials: bool) -> st.SearchStrategy:
    width = dtype.itemsize * 8
    base = st.floats(-10, 10, width=width)
    if not specials:
        return base
    extra = st.sampled_from([0.0, -0.0, 0.5, 1e4, -3e3, math.inf, -math.inf, math.nan])
    return st.one_of(base, base, base, extra)


def elements_for(dtype: np.dtype, specials: bool = True) -> st.SearchStrategy:
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return st.booleans()
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        small = st.integers(max(info.min, -10), min(info.max, 10))
        if not specials:
            return small
        return st.one_of(small, small, small, st.sampled_from([int(info.min), int(info.max)]))
    if dtype.kind == "f":
        return _float_elements(dtype, specials)
    if dtype.kind == "c":
        width = dtype.itemsize * 4
        part = st.floats(-10, 10, width=width)
        return st.builds(complex, part, part)
    raise ValueError(dtype)


def array_strategy(dtype: np.dtype, shape: tuple[int, ...], specials: bool = True):
    return hnp.arrays(dtype, shape, elements=elements_for(dtype, specials))


PY_SCALARS = {
    "int": [0, 1, 2, 3, -1, -2, 7, 100, 300, -129, 2**40],
    "float": [0.5, -1.5, 2.0, 0.0, -0.0, 1e-3, 3.25, 1e10, math.inf, -math.inf, math.nan],
    "complex": [1 + 2j, -0.5j, 2 + 0j],
    "bool": [True, False],
}
NP_SCALAR_DTYPES = ["int8", "uint8", "int32", "int64", "uint64", "float16", "float32",
                    "float64", "complex64", "complex128", "bool"]


def py_literal(value: Any) -> str:
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "float('-inf')"
        return repr(value)
    if isinstance(value, complex):
        return f"complex({py_literal(value.real)}, {py_literal(value.imag)})"
    raise TypeError(value)


def dtype_literal(dtype: np.dtype) -> str:
    name = np.dtype(dtype).name
    return "xp.bool_" if name == "bool" else f"xp.{name}"


# ---------------------------------------------------------------------------------------------
# the builder
# ---------------------------------------------------------------------------------------------

@dataclass
class Features:
    """Which kinds of steps a program may contain (and how many)."""

    n_inputs: tuple[int, int] = (1, 3)
    n_steps: tuple[int, int] = (1, 8)
    input_views: bool = True
    ufuncs: bool = True
    operators: bool = True
    scalars: bool = True
    astype: bool = True
    reductions: bool = False
    views: bool = False
    inplace: bool = False
    setitem: bool = False
    where: bool = False
    repr_steps: bool = True
    identity_checks: bool = False
    errors: bool = True  # keep a few invalid lines on purpose
    dtypes: tuple[np.dtype, ...] = ALL_DTYPES


@dataclass
class Program:
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    arrays: list[str] = field(default_factory=list)  # variables to compare
    checks: list[str] = field(default_factory=list)  # non-array variables to compare
    exact_checks: dict[str, bool] = field(default_factory=dict)  # repr vars: compare?
    err: dict[str, float | None] = field(default_factory=dict)
    np_ns: dict[str, Any] = field(default_factory=dict)
    np_error: BaseException | None = None
    np_warnings: set = field(default_factory=set)

    def source(self) -> str:
        head = [f"{k} = {v!r}" for k, v in self.inputs.items()]
        return "\n".join(head + self.lines)


class _Reject(Exception):
    pass


class ProgramBuilder:
    def __init__(self, data, features: Features) -> None:
        self.data = data
        self.f = features
        self.p = Program()
        self.ns: dict[str, Any] = {"xp": np}
        self.p.np_ns = self.ns
        self.counter = 0

    # -- drawing helpers ----------------------------------------------------------------------
    def draw(self, strategy, label=None):
        return self.data.draw(strategy, label=label)

    def choice(self, seq, label=None):
        return self.draw(st.sampled_from(list(seq)), label=label)

    def flag(self, p_true_in_8: int = 4) -> bool:
        return self.draw(st.integers(0, 7)) < p_true_in_8

    def fresh(self, prefix: str = "v") -> str:
        name = f"{prefix}{self.counter}"
        self.counter += 1
        return name

    # -- running ------------------------------------------------------------------------------
    def _exec(self, line: str) -> bool:
        """Run a line on NumPy; on an exception record it and return False."""
        with np.errstate(all="ignore"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                exec(compile(line, "<program>", "exec"), self.ns)
            except Exception as e:  # noqa: BLE001 - any NumPy exception ends the program
                self.p.np_error = e
                self.p.lines.append(line)
                self.p.np_warnings |= {w.category for w in caught}
                return False
        self.p.np_warnings |= {w.category for w in caught}
        self.p.lines.append(line)
        return True

    @staticmethod
    def _valid_on_dummies(line: str, dummies: dict[str, Any]) -> bool:
        ns = {"xp": np, **dummies}
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exec(compile(line, "<dummy>", "exec"), ns)
            except Exception:  # noqa: BLE001
                return False
        return True

    def _dummy(self, name: str) -> Any:
        v = self.ns[name]
        if isinstance(v, np.ndarray):
            return np.ones(v.shape, v.dtype)
        return v

    def _accept(self, line: str, names: list[str]) -> bool:
        """Whether to run ``line``: valid lines always, invalid ones rarely (error test)."""
        if self._valid_on_dummies(line, {n: self._dummy(n) for n in names}):
            return True
        if self.f.errors and self.draw(st.integers(0, 15), label="keep invalid") == 0:
            return True
        raise _Reject

    def array_vars(self, writeable_only: bool = False) -> list[str]:
        out = []
        for n in self.p.arrays:
            v = self.ns[n]
            if writeable_only and not (isinstance(v, np.ndarray) and v.flags.writeable):
                continue
            out.append(n)
        return out

    # -- inputs -------------------------------------------------------------------------------
    def _universe(self) -> tuple[int, ...]:
        ndim = self.choice([0, 1, 1, 2, 2, 2, 3, 3], label="universe ndim")
        dims = st.integers(0, 4) if self.flag(1) else st.integers(1, 4)
        return tuple(self.draw(st.lists(dims, min_size=ndim, max_size=ndim)))

    def _input_shape(self, universe: tuple[int, ...]) -> tuple[int, ...]:
        if self.flag(1):  # unrelated shape (may not broadcast)
            ndim = self.draw(st.integers(0, 3))
            return tuple(self.draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim)))
        k = len(universe)
        if self.flag(2):
            k = self.draw(st.integers(0, len(universe)), label="suffix len")
        shape = list(universe[len(universe) - k:])
        for i in range(len(shape)):
            if self.flag(2):
                shape[i] = 1
        return tuple(shape)

    def add_input(self, universe: tuple[int, ...]) -> None:
        dtype = self.choice(self.f.dtypes, label="input dtype")
        shape = self._input_shape(universe)
        kind = self.draw(st.integers(0, 9), label="input view kind") if self.f.input_views else 0
        name = self.fresh()
        data_name = f"_in{len(self.p.inputs)}"
        if kind <= 5:
            data = self.draw(array_strategy(dtype, shape), label=data_name)
            self.p.inputs[data_name] = data
            self.ns[data_name] = data.copy()
            line = f"{name} = xp.array({data_name})"
            if kind == 5:
                line = f"{name} = xp.asarray({data_name})"
        else:
            # build a bigger base and take a strided / reversed / transposed view of it
            if kind == 6:  # reversed along every axis
                base_shape = shape
                idx = "[" + ", ".join("::-1" for _ in shape) + "]" if shape else "[...]"
            elif kind == 7:  # every other element
                base_shape = tuple(2 * s for s in shape)
                idx = "[" + ", ".join("::2" for _ in shape) + "]" if shape else "[...]"
            elif kind == 8:  # transpose of the reversed shape
                base_shape = shape[::-1]
                idx = ".T"
            else:  # offset negative strides
                base_shape = tuple(2 * s + 1 for s in shape)
                idx = "[" + ", ".join("-1::-2" for _ in shape) + "]" if shape else "[...]"
            data = self.draw(array_strategy(dtype, base_shape), label=data_name)
            self.p.inputs[data_name] = data
            self.ns[data_name] = data.copy()
            if self.flag(4):
                line = f"{name} = xp.array({data_name}){idx}"
            else:
                line = f"{name} = xp.asarray({data_name}{idx})"
        ok = self._exec(line)
        assert ok, f"test bug: input line failed: {line}"
        self.p.arrays.append(name)
        self.p.err[name] = 0.0

    # -- operands -----------------------------------------------------------------------------
    def operand(self, allow_scalar: bool) -> tuple[str, Any, float | None, str | None]:
        """(source text, numpy value, error bound, variable name or None)."""
        if allow_scalar and self.f.scalars and self.flag(2):
            if self.flag(6):
                kind = self.choice(list(PY_SCALARS), label="py scalar kind")
                value = self.choice(PY_SCALARS[kind], label="py scalar")
                return py_literal(value), value, 0.0, None
            dt = np.dtype(self.choice(NP_SCALAR_DTYPES, label="np scalar dtype"))
            raw = self.choice([0, 1, 2, 3, -1, 5], label="np scalar value")
            if dt.kind == "u":
                raw = abs(raw)
            if dt.kind == "b":
                raw = bool(raw)
            src = f"{dtype_literal(dt)}({raw!r})"
            return src, np.dtype(dt).type(raw), 0.0, None
        name = self.choice(self.p.arrays, label="operand")
        return name, self.ns[name], self.p.err[name], name

    # -- steps --------------------------------------------------------------------------------
    def _new_var(self, name: str, err: float | None) -> None:
        self.p.arrays.append(name)
        self.p.err[name] = err

    def step_ufunc(self) -> bool:
        unary = self.flag(3)
        if unary:
            fname = self.choice(UNARY_UFUNCS, label="unary ufunc")
            src_a, va, ea, na = self.operand(allow_scalar=False)
            args, errs, names = [va], [ea], [na]
            if self.f.operators and fname in UNARY_OPERATORS and self.flag(4):
                expr = UNARY_OPERATORS[fname].format(src_a)
            else:
                expr = f"xp.{fname}({src_a})"
        else:
            fname = self.choice(BINARY_UFUNCS, label="binary ufunc")
            left_scalar = self.flag(2)
            src_a, va, ea, na = self.operand(allow_scalar=left_scalar)
            src_b, vb, eb, nb = self.operand(allow_scalar=not left_scalar or na is not None)
            if na is None and nb is None:
                raise _Reject
            args, errs, names = [va, vb], [ea, eb], [na, nb]
            if self.f.operators and fname in BINARY_OPERATORS and self.flag(4):
                expr = f"{src_a} {BINARY_OPERATORS[fname]} {src_b}"
            else:
                expr = f"xp.{fname}({src_a}, {src_b})"
        ufunc = getattr(np, fname)
        out_index = None
        if ufunc.nout == 2:
            out_index = self.draw(st.integers(0, 1), label="output index")
            expr = f"({expr})[{out_index}]"
        name = self.fresh()
        line = f"{name} = {expr}"
        if not self._accept(line, [n for n in names if n]):
            return False
        if not self._exec(line):
            return False
        self._new_var(name, elementwise_err(fname, args, errs, self.ns[name]))
        return True

    def step_astype(self) -> bool:
        src = self.choice(self.p.arrays, label="astype source")
        dt = self.choice(self.f.dtypes, label="astype dtype")
        name = self.fresh()
        v = self.ns[src]
        if isinstance(v, np.ndarray) and self.flag(2):
            line = f"{name} = xp.asarray({src}, dtype={dtype_literal(dt)})"
        else:
            line = f"{name} = {src}.astype({dtype_literal(dt)})"
        if not self._exec(line):
            return False
        self._new_var(name, cast_err(v, self.p.err[src], dt))
        return True

    def step_where(self) -> bool:
        c = self.choice(self.p.arrays, label="where cond")
        src_a, va, ea, na = self.operand(allow_scalar=True)
        src_b, vb, eb, nb = self.operand(allow_scalar=True)
        name = self.fresh()
        cond = f"{c} > 0" if self.flag(4) else c
        line = f"{name} = xp.where({cond}, {src_a}, {src_b})"
        if not self._accept(line, [n for n in (c, na, nb) if n]):
            return False
        if not self._exec(line):
            return False
        ec = self.p.err[c]
        if ec is None or ec > 0:
            err = None
        else:
            err = _combine_none(ea, eb)
            if err is not None and err > 0:
                err = err + _eps(_dtype_of(self.ns[name])) * max_abs(self.ns[name])
            if err == 0:
                rdt = _dtype_of(self.ns[name])
                err = _combine_none(cast_err(va, ea, rdt), cast_err(vb, eb, rdt))
        self._new_var(name, err)
        return True

    def _draw_axis(self, ndim: int, allow_tuple: bool):
        if ndim == 0:
            return self.choice([None] * 7 + [0, -1], label="0-d axis")
        r = self.draw(st.integers(0, 9), label="axis kind")
        if r <= 2:
            return None
        if r <= 6 or not allow_tuple:
            return self.draw(st.integers(-ndim, ndim - 1), label="axis")
        if r == 7:
            return ()
        axes = self.draw(
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True),
            label="axes",
        )
        return tuple(a - ndim if self.flag(2) else a for a in axes)

    def step_reduce(self) -> bool:
        src = self.choice(self.p.arrays, label="reduce source")
        v = self.ns[src]
        ndim = np.ndim(v)
        fname = self.choice(REDUCTIONS, label="reduction")
        axis = self._draw_axis(ndim, allow_tuple=fname not in ("argmin", "argmax"))
        if self.f.errors and self.draw(st.integers(0, 31), label="bad axis") == 0:
            axis = ndim + 1
        kwargs = []
        if axis is not None or self.flag(2):
            kwargs.append(f"axis={axis!r}")
        keep = self.flag(2)
        if keep:
            kwargs.append("keepdims=True")
        ddof = 0
        if fname in ("std", "var") and self.flag(3):
            ddof = self.draw(st.integers(0, 2), label="ddof")
            kwargs.append(f"ddof={ddof}")
        kw = ", ".join(kwargs)
        name = self.fresh()
        if fname == "ptp" or self.flag(3):
            line = f"{name} = xp.{fname}({src}{', ' if kw else ''}{kw})"
        else:
            line = f"{name} = {src}.{fname}({kw})"
        if not self._accept(line, [src]):
            return False
        if not self._exec(line):
            return False
        norm_axis = axis
        if isinstance(axis, int) and ndim > 0:
            norm_axis = axis % ndim
        elif isinstance(axis, tuple):
            norm_axis = tuple(a % ndim for a in axis)
        err = reduction_err(fname, v, self.p.err[src], norm_axis, ddof, self.ns[name])
        self._new_var(name, err)
        return True

    def _basic_index(self, shape: tuple[int, ...]) -> str:
        parts = []
        i = 0
        used_ellipsis = False
        while i < len(shape):
            r = self.draw(st.integers(0, 11), label="index kind")
            n = shape[i]
            if r <= 4:
                start = self.draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
                stop = self.draw(st.one_of(st.none(), st.integers(-n - 1, n + 1)))
                step = self.draw(st.sampled_from([None, 1, 2, -1, -2, 3]))
                parts.append(
                    ("" if start is None else str(start))
                    + ":"
                    + ("" if stop is None else str(stop))
                    + ("" if step is None else f":{step}")
                )
                i += 1
            elif r <= 6 and n > 0:
                parts.append(str(self.draw(st.integers(-n, n - 1))))
                i += 1
            elif r == 7:
                parts.append("None")
            elif r == 8 and not used_ellipsis:
                parts.append("...")
                used_ellipsis = True
                i = len(shape)  # treat the rest as covered
            elif r == 9 and n > 0 and self.f.errors and self.flag(1):
                parts.append(str(n + 1))  # out of bounds -> IndexError
                i += 1
            else:
                parts.append(":")
                i += 1
        if not parts:
            return "[...]" if self.flag(4) else "[()]"
        return "[" + ", ".join(parts) + "]"

    def step_view(self) -> bool:
        src = self.choice(self.array_vars(), label="view source")
        v = self.ns[src]
        if not isinstance(v, np.ndarray):
            raise _Reject
        shape = v.shape
        r = self.draw(st.integers(0, 11), label="view kind")
        if r <= 4:
            expr = f"{src}{self._basic_index(shape)}"
        elif r == 5:
            expr = f"{src}.T"
        elif r == 6:
            perm = self.draw(st.permutations(range(v.ndim)))
            expr = f"{src}.transpose({tuple(perm)!r})" if self.flag() else f"xp.transpose({src})"
        elif r == 7:
            if v.ndim < 2:
                raise _Reject
            a = self.draw(st.integers(0, v.ndim - 1))
            b = self.draw(st.integers(0, v.ndim - 1))
            expr = f"{src}.swapaxes({a}, {b})" if self.flag() else f"xp.moveaxis({src}, {a}, {b})"
        elif r == 8:
            target = self.choice([(-1,), (v.size,), (1, -1), (-1, 1)] + (
                [tuple(reversed(shape))] if v.ndim else []
            ))
            if self.flag():
                expr = f"{src}.reshape({target!r})"
            else:
                expr = f"xp.reshape({src}, {target!r})"
        elif r == 9:
            expr = f"{src}.ravel()" if self.flag() else f"xp.ravel({src})"
        elif r == 10:
            if self.flag():
                expr = f"xp.expand_dims({src}, {self.draw(st.integers(-v.ndim - 1, v.ndim))})"
            else:
                expr = f"{src}.squeeze()" if self.flag() else f"xp.squeeze({src})"
        else:
            extra = self.draw(st.integers(1, 3))
            expr = f"xp.broadcast_to({src}, {(extra,) + shape!r})"
        name = self.fresh()
        line = f"{name} = {expr}"
        if not self._accept(line, [src]):
            return False
        if not self._exec(line):
            return False
        self._new_var(name, self.p.err[src])
        return True

    def _mark_written(self, target: str, err: float | None) -> None:
        """``target`` was written in place: update it and every variable sharing memory."""
        tv = self.ns[target]
        self.p.err[target] = err
        for n in self.p.arrays:
            if n == target:
                continue
            v = self.ns[n]
            if isinstance(v, np.ndarray) and np.shares_memory(v, tv):
                self.p.err[n] = _combine_none(self.p.err[n], err)

    def step_inplace(self) -> bool:
        targets = self.array_vars(writeable_only=True)
        if not targets or (self.f.errors and self.draw(st.integers(0, 31)) == 0):
            targets = self.p.arrays  # may pick a read-only view or a scalar on purpose
        target = self.choice(targets, label="inplace target")
        fname = self.choice(list(INPLACE_OPERATORS), label="inplace op")
        src_b, vb, eb, nb = self.operand(allow_scalar=True)
        before = np.copy(self.ns[target])
        before_err = self.p.err[target]
        idname = self.fresh("same")
        line = (
            f"_id = id({target})\n{target} {INPLACE_OPERATORS[fname]} {src_b}\n"
            f"{idname} = id({target}) == _id"
        )
        if not self._accept(line, [n for n in (target, nb) if n]):
            return False
        if not self._exec(line):
            return False
        self.p.checks.append(idname)
        new = self.ns[target]
        err = elementwise_err(fname, [before, vb], [before_err, eb], new)
        if not isinstance(new, np.ndarray):
            self.p.err[target] = err
        else:
            self._mark_written(target, err)
        return True

    def step_setitem(self) -> bool:
        targets = self.array_vars(writeable_only=True)
        targets = [t for t in targets if np.ndim(self.ns[t]) > 0 or self.flag()]
        if not targets:
            raise _Reject
        target = self.choice(targets, label="setitem target")
        tv = self.ns[target]
        r = self.draw(st.integers(0, 5), label="setitem kind")
        names = [target]
        if r <= 3:
            idx = self._basic_index(tv.shape)
            src_b, vb, eb, nb = self.operand(allow_scalar=True)
            if nb:
                names.append(nb)
            line = f"{target}{idx} = {src_b}"
        elif r == 4:
            # boolean mask from the target itself, scalar value
            lit = self.choice([0, 1, -1, 2])
            src_b, vb, eb, nb = self.operand(allow_scalar=True)
            if nb is not None:
                raise _Reject
            line = f"{target}[{target} > {lit}] = {src_b}"
        else:
            # overlapping self-assignment, e.g. a[1:] = a[:-1]
            if tv.ndim == 0 or tv.shape[0] < 2:
                raise _Reject
            k = self.draw(st.integers(1, tv.shape[0] - 1))
            line = self.choice([
                f"{target}[{k}:] = {target}[:-{k}]",
                f"{target}[:-{k}] = {target}[{k}:]",
                f"{target}[...] = {target}[::-1]",
            ])
            vb, eb = tv, self.p.err[target]
        if not self._accept(line, names):
            return False
        if not self._exec(line):
            return False
        werr = cast_err(vb, eb, tv.dtype)
        if werr is not None and werr > 0 and tv.dtype.kind in "fc":
            werr = werr + _eps(tv.dtype) * max_abs(tv)
        self._mark_written(target, _combine_none(self.p.err[target], werr))
        return True

    def step_repr(self) -> bool:
        src = self.choice(self.p.arrays, label="repr source")
        name = self.fresh("r")
        line = f"{name} = repr({src})" if self.flag() else f"{name} = str({src})"
        if not self._exec(line):
            return False
        self.p.checks.append(name)
        self.p.exact_checks[name] = self.p.err[src] == 0
        return True

    def step_shares(self) -> bool:
        a = self.choice(self.p.arrays)
        b = self.choice(self.p.arrays)
        name = self.fresh("sm")
        line = f"{name} = xp.shares_memory({a}, {b})"
        if not self._exec(line):
            return False
        self.p.checks.append(name)
        self.p.exact_checks[name] = True
        return True

    # -- whole program ------------------------------------------------------------------------
    def build(self) -> Program:
        f = self.f
        universe = self._universe()
        n_in = self.draw(st.integers(*f.n_inputs), label="n inputs")
        for _ in range(n_in):
            self.add_input(universe)
        kinds = []
        if f.ufuncs:
            kinds += ["ufunc"] * 6
        if f.astype:
            kinds += ["astype"]
        if f.where:
            kinds += ["where"]
        if f.reductions:
            kinds += ["reduce"] * 4
        if f.views:
            kinds += ["view"] * 3
        if f.inplace:
            kinds += ["inplace"] * 3
        if f.setitem:
            kinds += ["setitem"] * 3
        if f.repr_steps:
            kinds += ["repr"]
        if f.identity_checks:
            kinds += ["shares"]
        n_steps = self.draw(st.integers(*f.n_steps), label="n steps")
        done = 0
        attempts = 0
        while done < n_steps and attempts < 4 * n_steps and self.p.np_error is None:
            attempts += 1
            kind = self.choice(kinds, label="step kind")
            try:
                getattr(self, f"step_{kind}")()
            except _Reject:
                continue
            done += 1
        note("program:\n" + self.p.source())
        if self.p.np_error is not None:
            note(f"NumPy raised {type(self.p.np_error).__name__}: {self.p.np_error}")
        return self.p


# ---------------------------------------------------------------------------------------------
# replay on lazynp and compare
# ---------------------------------------------------------------------------------------------

def _errstate(lnp):
    es = getattr(lnp, "errstate", None)
    if es is None or es is np.errstate:
        return np.errstate(all="ignore")
    return es(all="ignore")


def _value_dependent(err: BaseException) -> bool:
    """Errors NumPy raises because of the *values* (lazynp may raise them at force time)."""
    return isinstance(err, ValueError) and "negative integer powers" in str(err)


def run_lazy(program: Program, lnp, data, check_warnings: bool = True) -> None:
    """Replay ``program`` on lazynp and compare every variable with NumPy's."""
    ns: dict[str, Any] = {"xp": lnp}
    for k, v in program.inputs.items():
        ns[k] = v.copy()
    source = program.source()
    n_lines = len(program.lines)
    with np.errstate(all="ignore"), _errstate(lnp), warnings.catch_warnings(
        record=True
    ) as caught:
        warnings.simplefilter("always")
        for i, line in enumerate(program.lines):
            last = i == n_lines - 1
            try:
                exec(compile(line, "<program>", "exec"), ns)
            except Exception as e:  # noqa: BLE001
                if last and program.np_error is not None:
                    if not isinstance(e, type(program.np_error)):
                        raise AssertionError(
                            f"line {line!r}: NumPy raised {type(program.np_error).__name__}"
                            f"({program.np_error}), lazynp raised {type(e).__name__}({e})"
                            f"\nprogram:\n{source}"
                        ) from e
                    return
                raise AssertionError(
                    f"line {line!r} raised {type(e).__name__}({e}) on lazynp but not on NumPy"
                    f"\nprogram:\n{source}"
                ) from e
        if program.np_error is not None:
            if not _value_dependent(program.np_error):
                raise AssertionError(
                    f"NumPy raised {type(program.np_error).__name__}({program.np_error}) "
                    f"at line {program.lines[-1]!r}; lazynp did not raise there"
                    f"\nprogram:\n{source}"
                )
            # value-dependent errors may surface when the results are forced
            try:
                for value in list(ns.values()):
                    if is_lazynp_array(value):
                        to_numpy(value)
            except Exception as e:  # noqa: BLE001
                if isinstance(e, type(program.np_error)):
                    return
                raise AssertionError(
                    f"forcing raised {type(e).__name__}({e}); NumPy raised "
                    f"{type(program.np_error).__name__} at the last line\nprogram:\n{source}"
                ) from e
            raise AssertionError(
                f"NumPy raised {type(program.np_error).__name__}({program.np_error}) "
                f"at the last line; lazynp did not raise\nprogram:\n{source}"
            )
        order = data.draw(st.permutations(program.arrays), label="force order")
        forced: dict[str, Any] = {}
        for name in order:
            got = ns[name]
            if isinstance(got, lnp.ndarray):
                got = to_numpy(got)
            forced[name] = got
    if check_warnings:
        lazy_cats = {w.category for w in caught}
        assert lazy_cats == program.np_warnings, (
            f"warning categories differ: lazynp {lazy_cats}, NumPy {program.np_warnings}"
            f"\nprogram:\n{source}"
        )
    for name in program.arrays:
        compare_value(ns[name], forced[name], program.np_ns[name], program.err[name],
                      where=f"{name}: ", source=source)
    for name in program.checks:
        if program.exact_checks.get(name, True):
            assert ns[name] == program.np_ns[name], (
                f"{name}: lazynp {ns[name]!r} != NumPy {program.np_ns[name]!r}"
                f"\nprogram:\n{source}"
            )


def compare_value(
    lazy_obj: Any, forced: Any, expected: Any, err: float | None, where: str, source: str
) -> None:
    """Compare one program variable. ``forced`` is ``numpy.asarray(lazy_obj)`` (or the scalar)."""
    try:
        if isinstance(expected, np.ndarray):
            assert is_lazynp_array(lazy_obj), (
                f"expected a lazynp.ndarray, got {type(lazy_obj)!r}"
            )
            assert lazy_obj.dtype == expected.dtype, f"dtype {lazy_obj.dtype} != {expected.dtype}"
            assert tuple(lazy_obj.shape) == expected.shape, (
                f"shape {tuple(lazy_obj.shape)} != {expected.shape}"
            )
            got = forced
        elif isinstance(expected, np.generic):
            assert type(lazy_obj) is type(expected), (
                f"expected NumPy scalar {type(expected).__name__}, got "
                f"{type(lazy_obj).__module__}.{type(lazy_obj).__name__}"
            )
            got = np.asarray(lazy_obj)
            expected = np.asarray(expected)
        else:
            assert type(lazy_obj) is type(expected), f"{type(lazy_obj)} != {type(expected)}"
            assert lazy_obj == expected or (lazy_obj != lazy_obj and expected != expected)
            return
        if err is None:
            return
        compare_arrays(got, expected, atol=ERR_SAFETY * err)
    except AssertionError as e:
        raise AssertionError(f"{where}{e}\nprogram:\n{source}") from None

