"""CUDA C device helpers of the GPU renderer: float16 conversions, the complex types and
NumPy's complex formulas, integer and float floor division / remainder, integer power.

Each helper is plain C++ (``__device__ __forceinline__`` functions, templates over the
float or integer type) that compiles both with ``nvcc`` and with the host C++ compiler
through ``tests/codegen_gpu/shim.h``, so the tests run the very code the GPU runs.  A
rendered source carries the helpers it names (:func:`prelude` scans it for ``lzg_`` names),
each inside an include guard, so many kernels can share one translation unit.

Numerics (docs/design.md rule 5: NumPy's bits):

* float16 values travel as their bits (``unsigned short``).  ``lzg_h2f`` widens exactly;
  ``lzg_f2h`` and ``lzg_d2h`` are NumPy's ``npy_floatbits_to_halfbits`` and
  ``npy_doublebits_to_halfbits`` (round to nearest even, subnormals, overflow to inf, NaN
  kept a NaN with its sign and top payload bits): float64 -> float16 rounds once.
* Arithmetic goes through ``lzg_add`` ... (the ``_rn`` intrinsics: never contracted into an
  FMA); ``lzg_fma`` is the one explicit fused multiply-add (NumPy's SIMD complex product and
  absolute fuse where the host's NumPy does: ``codegen_cpu.complex_ops.numpy_complex_loops``).
* Complex division is NumPy's Smith algorithm with its zero-divisor branch, the reciprocal,
  absolute value and lexicographic comparisons are NumPy's loops (``codegen_cpu/complex_ops.py``
  has the same formulas as LLVM IR).
"""

from __future__ import annotations

import re

__all__ = ["HELPERS", "prelude"]

_SCALAR = r"""
__device__ __forceinline__ float lzg_add(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double lzg_add(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ float lzg_sub(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ double lzg_sub(double a, double b) { return __dsub_rn(a, b); }
__device__ __forceinline__ float lzg_mul(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double lzg_mul(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float lzg_div(float a, float b) { return __fdiv_rn(a, b); }
__device__ __forceinline__ double lzg_div(double a, double b) { return __ddiv_rn(a, b); }
__device__ __forceinline__ float lzg_sqrt(float a) { return __fsqrt_rn(a); }
__device__ __forceinline__ double lzg_sqrt(double a) { return __dsqrt_rn(a); }
__device__ __forceinline__ float lzg_fma(float a, float b, float c) { return fmaf(a, b, c); }
__device__ __forceinline__ double lzg_fma(double a, double b, double c) { return fma(a, b, c); }
__device__ __forceinline__ float lzg_fabs(float a) { return fabsf(a); }
__device__ __forceinline__ double lzg_fabs(double a) { return fabs(a); }
__device__ __forceinline__ float lzg_floor(float a) { return floorf(a); }
__device__ __forceinline__ double lzg_floor(double a) { return floor(a); }
__device__ __forceinline__ float lzg_fmod(float a, float b) { return fmodf(a, b); }
__device__ __forceinline__ double lzg_fmod(double a, double b) { return fmod(a, b); }
__device__ __forceinline__ float lzg_copysign(float a, float b) { return copysignf(a, b); }
__device__ __forceinline__ double lzg_copysign(double a, double b) { return copysign(a, b); }
__device__ __forceinline__ float lzg_inf(float) { return __int_as_float(0x7f800000); }
__device__ __forceinline__ double lzg_inf(double) {
  return __longlong_as_double(0x7ff0000000000000LL);
}
"""

_H2F = r"""
__device__ __forceinline__ float lzg_h2f(unsigned short h) {
  const unsigned int s = (unsigned int)(h & 0x8000u) << 16;
  const unsigned int e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  if (e == 0u) {  /* zero or subnormal: m * 2**-24, exact */
    return __uint_as_float(__float_as_uint(__fmul_rn((float)m, 5.9604644775390625e-8f)) | s);
  }
  if (e == 0x1fu) return __uint_as_float(s | 0x7f800000u | (m << 13));
  return __uint_as_float(s | ((e + 112u) << 23) | (m << 13));
}
__device__ __forceinline__ bool lzg_hisnan(unsigned short h) {
  return (h & 0x7fffu) > 0x7c00u;
}
"""

# NumPy's npy_floatbits_to_halfbits (numpy/_core/src/npymath/halffloat.cpp), line for line
_F2H = r"""
__device__ __forceinline__ unsigned short lzg_f2h(float x) {
  const unsigned int f = __float_as_uint(x);
  const unsigned short h_sgn = (unsigned short)((f & 0x80000000u) >> 16);
  unsigned int f_exp = f & 0x7f800000u, f_sig;
  if (f_exp >= 0x47800000u) {
    if (f_exp == 0x7f800000u) {
      f_sig = f & 0x007fffffu;
      if (f_sig != 0u) {
        unsigned short ret = (unsigned short)(0x7c00u + (f_sig >> 13));
        if (ret == 0x7c00u) ret++;
        return (unsigned short)(h_sgn + ret);
      }
      return (unsigned short)(h_sgn + 0x7c00u);
    }
    return (unsigned short)(h_sgn + 0x7c00u);  /* overflow */
  }
  if (f_exp <= 0x38000000u) {
    if (f_exp < 0x33000000u) return h_sgn;
    f_exp >>= 23;
    f_sig = 0x00800000u + (f & 0x007fffffu);
    f_sig >>= (113u - f_exp);
    if (((f_sig & 0x00003fffu) != 0x00001000u) || (f & 0x000007ffu)) f_sig += 0x00001000u;
    return (unsigned short)(h_sgn + (unsigned short)(f_sig >> 13));
  }
  const unsigned short h_exp = (unsigned short)((f_exp - 0x38000000u) >> 13);
  f_sig = f & 0x007fffffu;
  if ((f_sig & 0x00003fffu) != 0x00001000u) f_sig += 0x00001000u;
  const unsigned short h_sig = (unsigned short)(f_sig >> 13);
  return (unsigned short)(h_sgn + (unsigned short)(h_exp + h_sig));
}
"""

# NumPy's npy_doublebits_to_halfbits: one rounding from float64
_D2H = r"""
__device__ __forceinline__ unsigned short lzg_d2h(double x) {
  const unsigned long long d = (unsigned long long)__double_as_longlong(x);
  const unsigned short h_sgn = (unsigned short)((d & 0x8000000000000000ULL) >> 48);
  unsigned long long d_exp = d & 0x7ff0000000000000ULL, d_sig;
  if (d_exp >= 0x40f0000000000000ULL) {
    if (d_exp == 0x7ff0000000000000ULL) {
      d_sig = d & 0x000fffffffffffffULL;
      if (d_sig != 0ULL) {
        unsigned short ret = (unsigned short)(0x7c00u + (unsigned int)(d_sig >> 42));
        if (ret == 0x7c00u) ret++;
        return (unsigned short)(h_sgn + ret);
      }
      return (unsigned short)(h_sgn + 0x7c00u);
    }
    return (unsigned short)(h_sgn + 0x7c00u);  /* overflow */
  }
  if (d_exp <= 0x3f00000000000000ULL) {
    if (d_exp < 0x3e60000000000000ULL) return h_sgn;
    d_exp >>= 52;
    d_sig = 0x0010000000000000ULL + (d & 0x000fffffffffffffULL);
    d_sig <<= (d_exp - 998ULL);
    if ((d_sig & 0x003fffffffffffffULL) != 0x0010000000000000ULL) d_sig += 0x0010000000000000ULL;
    return (unsigned short)(h_sgn + (unsigned short)(d_sig >> 53));
  }
  const unsigned short h_exp = (unsigned short)((d_exp - 0x3f00000000000000ULL) >> 42);
  d_sig = d & 0x000fffffffffffffULL;
  if ((d_sig & 0x000007ffffffffffULL) != 0x0000020000000000ULL) d_sig += 0x0000020000000000ULL;
  const unsigned short h_sig = (unsigned short)(d_sig >> 42);
  return (unsigned short)(h_sgn + (unsigned short)(h_exp + h_sig));
}
"""

_COMPLEX = r"""
template <class T> struct lzg_complex { T re, im; };
typedef lzg_complex<float> lzg_c64;
typedef lzg_complex<double> lzg_c128;
"""

_CARITH = r"""
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cadd(lzg_complex<T> a,
                                                                       lzg_complex<T> b) {
  return lzg_complex<T>{lzg_add(a.re, b.re), lzg_add(a.im, b.im)};
}
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_csub(lzg_complex<T> a,
                                                                       lzg_complex<T> b) {
  return lzg_complex<T>{lzg_sub(a.re, b.re), lzg_sub(a.im, b.im)};
}
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cneg(lzg_complex<T> a) {
  return lzg_complex<T>{-a.re, -a.im};
}
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cconj(lzg_complex<T> a) {
  return lzg_complex<T>{a.re, -a.im};
}
/* NumPy's SIMD product: re = ar*br - ai*bi, im = ar*bi + ai*br, fused (fma(ar, br, -(ai*bi)),
   fma(ar, bi, ai*br)) where the host's NumPy fuses */
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cmul(lzg_complex<T> a,
                                                                       lzg_complex<T> b) {
  return lzg_complex<T>{lzg_add(lzg_mul(a.re, b.re), -lzg_mul(a.im, b.im)),
                        lzg_add(lzg_mul(a.re, b.im), lzg_mul(a.im, b.re))};
}
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cmul_fma(lzg_complex<T> a,
                                                                           lzg_complex<T> b) {
  return lzg_complex<T>{lzg_fma(a.re, b.re, -lzg_mul(a.im, b.im)),
                        lzg_fma(a.re, b.im, lzg_mul(a.im, b.re))};
}
/* NumPy's division (Smith's method; a zero divisor gives (ar/|br|, ai/|br|)) */
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cdiv(lzg_complex<T> a,
                                                                       lzg_complex<T> b) {
  const T abr = lzg_fabs(b.re), abi = lzg_fabs(b.im);
  if (abr >= abi) {
    if (abr == (T)0 && abi == (T)0) return lzg_complex<T>{lzg_div(a.re, abr), lzg_div(a.im, abr)};
    const T rat = lzg_div(b.im, b.re);
    const T scl = lzg_div((T)1, lzg_add(b.re, lzg_mul(b.im, rat)));
    return lzg_complex<T>{lzg_mul(lzg_add(a.re, lzg_mul(a.im, rat)), scl),
                          lzg_mul(lzg_sub(a.im, lzg_mul(a.re, rat)), scl)};
  }
  const T rat = lzg_div(b.re, b.im);
  const T scl = lzg_div((T)1, lzg_add(b.im, lzg_mul(b.re, rat)));
  return lzg_complex<T>{lzg_mul(lzg_add(lzg_mul(a.re, rat), a.im), scl),
                        lzg_mul(lzg_sub(lzg_mul(a.im, rat), a.re), scl)};
}
/* NumPy's reciprocal */
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_crecip(lzg_complex<T> a) {
  if (lzg_fabs(a.im) <= lzg_fabs(a.re)) {
    const T r = lzg_div(a.im, a.re);
    const T d = lzg_add(a.re, lzg_mul(a.im, r));
    return lzg_complex<T>{lzg_div((T)1, d), lzg_div(-r, d)};
  }
  const T r = lzg_div(a.re, a.im);
  const T d = lzg_add(lzg_mul(a.re, r), a.im);
  return lzg_complex<T>{lzg_div(r, d), lzg_div((T)-1, d)};
}
"""

_CABS = r"""
/* NumPy's SIMD absolute: sqrt(r*r + 1) * larger, r = smaller / larger (fused where the
   host's NumPy fuses); an infinite part gives inf, else a NaN part NaN */
template <class T> __device__ __forceinline__ T lzg_cabs_impl(lzg_complex<T> a, bool fused) {
  const T re = lzg_fabs(a.re), im = lzg_fabs(a.im);
  const T inf = lzg_inf(re);
  if (re == inf || im == inf) return inf;
  if (re != re || im != im) return lzg_add(re, im);
  const T larger = re >= im ? re : im, smaller = re >= im ? im : re;
  if (larger == (T)0) return larger;
  const T r = lzg_div(smaller, larger);
  const T s = fused ? lzg_fma(r, r, (T)1) : lzg_add(lzg_mul(r, r), (T)1);
  return lzg_mul(lzg_sqrt(s), larger);
}
template <class T> __device__ __forceinline__ T lzg_cabs(lzg_complex<T> a) {
  return lzg_cabs_impl(a, false);
}
template <class T> __device__ __forceinline__ T lzg_cabs_fma(lzg_complex<T> a) {
  return lzg_cabs_impl(a, true);
}
"""

_CCMP = r"""
template <class T> __device__ __forceinline__ bool lzg_ceq(lzg_complex<T> a, lzg_complex<T> b) {
  return a.re == b.re && a.im == b.im;
}
template <class T> __device__ __forceinline__ bool lzg_cne(lzg_complex<T> a, lzg_complex<T> b) {
  return a.re != b.re || a.im != b.im;
}
/* NumPy's lexicographic order: CLT = (ar < br && !isnan(ai) && !isnan(bi)) ||
   (ar == br && ai < bi), likewise the others */
template <class T> __device__ __forceinline__ bool lzg_cord(T x, T y) {
  return x == x && y == y;
}
template <class T> __device__ __forceinline__ bool lzg_clt(lzg_complex<T> a, lzg_complex<T> b) {
  return (a.re < b.re && lzg_cord(a.im, b.im)) || (a.re == b.re && a.im < b.im);
}
template <class T> __device__ __forceinline__ bool lzg_cle(lzg_complex<T> a, lzg_complex<T> b) {
  return (a.re < b.re && lzg_cord(a.im, b.im)) || (a.re == b.re && a.im <= b.im);
}
template <class T> __device__ __forceinline__ bool lzg_cgt(lzg_complex<T> a, lzg_complex<T> b) {
  return (a.re > b.re && lzg_cord(a.im, b.im)) || (a.re == b.re && a.im > b.im);
}
template <class T> __device__ __forceinline__ bool lzg_cge(lzg_complex<T> a, lzg_complex<T> b) {
  return (a.re > b.re && lzg_cord(a.im, b.im)) || (a.re == b.re && a.im >= b.im);
}
template <class T> __device__ __forceinline__ bool lzg_cisnan(lzg_complex<T> a) {
  return a.re != a.re || a.im != a.im;
}
template <class T> __device__ __forceinline__ bool lzg_cisinf(lzg_complex<T> a) {
  return lzg_fabs(a.re) == lzg_inf(a.re) || lzg_fabs(a.im) == lzg_inf(a.im);
}
template <class T> __device__ __forceinline__ bool lzg_cisfinite(lzg_complex<T> a) {
  return lzg_fabs(a.re) < lzg_inf(a.re) && lzg_fabs(a.im) < lzg_inf(a.im);
}
template <class T> __device__ __forceinline__ bool lzg_ctruth(lzg_complex<T> a) {
  return a.re != (T)0 || a.im != (T)0;
}
/* NumPy: maximum keeps a when a has a NaN part or a >= b; fmax when b has one or a >= b */
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cmaximum(lzg_complex<T> a,
                                                                           lzg_complex<T> b) {
  return (lzg_cisnan(a) || lzg_cge(a, b)) ? a : b;
}
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cminimum(lzg_complex<T> a,
                                                                           lzg_complex<T> b) {
  return (lzg_cisnan(a) || lzg_cle(a, b)) ? a : b;
}
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cfmax(lzg_complex<T> a,
                                                                        lzg_complex<T> b) {
  return (lzg_cisnan(b) || lzg_cge(a, b)) ? a : b;
}
template <class T> __device__ __forceinline__ lzg_complex<T> lzg_cfmin(lzg_complex<T> a,
                                                                        lzg_complex<T> b) {
  return (lzg_cisnan(b) || lzg_cle(a, b)) ? a : b;
}
"""

_IDIV = r"""
/* NumPy's integer floor_divide / remainder: x // 0 == x % 0 == 0, MIN // -1 wraps to MIN */
template <class T> __device__ __forceinline__ T lzg_sfloordiv(T a, T b) {
  if (b == (T)0) return (T)0;
  if (b == (T)-1) return (T)(0ULL - (unsigned long long)a);
  const T q = (T)(a / b), r = (T)(a % b);
  return (r != (T)0 && ((r < (T)0) != (b < (T)0))) ? (T)(q - (T)1) : q;
}
template <class T> __device__ __forceinline__ T lzg_sremainder(T a, T b) {
  if (b == (T)0 || b == (T)-1) return (T)0;
  const T r = (T)(a % b);
  return (r != (T)0 && ((r < (T)0) != (b < (T)0))) ? (T)(r + b) : r;
}
template <class T> __device__ __forceinline__ T lzg_ufloordiv(T a, T b) {
  return b == (T)0 ? (T)0 : (T)(a / b);
}
template <class T> __device__ __forceinline__ T lzg_uremainder(T a, T b) {
  return b == (T)0 ? (T)0 : (T)(a % b);
}
/* integer power by squaring, wrapping (e >= 0; 0**0 == 1) */
template <class T> __device__ __forceinline__ T lzg_ipow(T b, T e) {
  unsigned long long base = (unsigned long long)b, acc = 1ULL;
  unsigned long long ue = (unsigned long long)e;
  while (ue != 0ULL) {
    if (ue & 1ULL) acc *= base;
    base *= base;
    ue >>= 1;
  }
  return (T)acc;
}
"""

# NumPy's npy_divmod (npy_floor_divide / npy_remainder): b == 0 gives a / b and fmod(a, b)
_FDIV = r"""
template <class T> __device__ __forceinline__ T lzg_fdivmod(T a, T b, bool want_div) {
  const T mod = lzg_fmod(a, b);
  if (b == (T)0) return want_div ? lzg_div(a, b) : mod;
  T div = lzg_div(lzg_sub(a, mod), b), m = mod;
  if (mod != (T)0) {
    if ((b < (T)0) != (mod < (T)0)) {
      m = lzg_add(mod, b);
      div = lzg_sub(div, (T)1);
    }
  } else {
    m = lzg_copysign((T)0, b);
  }
  if (!want_div) return m;
  if (div != (T)0) {
    T fl = lzg_floor(div);
    if (lzg_sub(div, fl) > (T)0.5) fl = lzg_add(fl, (T)1);
    return fl;
  }
  return lzg_copysign((T)0, lzg_div(a, b));
}
template <class T> __device__ __forceinline__ T lzg_ffloordiv(T a, T b) {
  return lzg_fdivmod(a, b, true);
}
template <class T> __device__ __forceinline__ T lzg_fremainder(T a, T b) {
  return lzg_fdivmod(a, b, false);
}
"""

#: helper name -> (guarded C++ text, the helpers it needs first)
_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "SCALAR": (_SCALAR, ()),
    "H2F": (_H2F, ()),
    "F2H": (_F2H, ()),
    "D2H": (_D2H, ()),
    "COMPLEX": (_COMPLEX, ()),
    "CARITH": (_CARITH, ("SCALAR", "COMPLEX")),
    "CABS": (_CABS, ("SCALAR", "COMPLEX")),
    "CCMP": (_CCMP, ("SCALAR", "COMPLEX")),
    "IDIV": (_IDIV, ()),
    "FDIV": (_FDIV, ("SCALAR",)),
}


def _names(text: str) -> set[str]:
    return set(re.findall(r"\blzg_\w+(?=\s*[({<])|\blzg_c(?:64|128)\b", text))


def _defined(text: str) -> set[str]:
    return set(re.findall(r"__forceinline__ [^(]*?\b(lzg_\w+)\s*\(", text)) | set(
        re.findall(r"(?:struct|typedef [^;]*) (lzg_\w+)", text))


#: helper name -> the group defining it
HELPERS: dict[str, str] = {n: g for g, (text, _deps) in _GROUPS.items() for n in _defined(text)}


def prelude(source: str) -> str:
    """The helper definitions ``source`` uses, in dependency order, each group guarded."""
    want: list[str] = []

    def add(group: str) -> None:
        if group in want:
            return
        for dep in _GROUPS[group][1]:
            add(dep)
        want.append(group)

    for name in sorted(_names(source)):
        group = HELPERS.get(name)
        if group is not None:
            add(group)
    out = []
    for g in want:
        out += [f"#ifndef LZG_{g}_DEFINED", f"#define LZG_{g}_DEFINED",
                _GROUPS[g][0].strip("\n"), "#endif"]
    return "\n".join(out) + ("\n" if out else "")
