"""NumPy's seeding arithmetic for the bit generators, in Python on Python ints.

Seed coercion to uint32 words (``bit_generator.pyx``), ``int_to_array`` (``_common.pyx``),
MT19937's ``mt19937_seed`` / ``mt19937_init_by_array``, and the PCG LCG jump (``advance``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lazynp.random._ir_bitgen import MASK128
from lazynp.random._wrap import asnumpy

_M32 = 0xFFFFFFFF


def _int_to_words(n: int) -> list[int]:
    if n < 0:
        raise ValueError("expected non-negative integer")
    if n == 0:
        return [0]
    out = []
    while n > 0:
        out.append(n & _M32)
        n >>= 32
    return out


def _coerce_to_uint32_array(x: Any) -> np.ndarray:
    """NumPy's _coerce_to_uint32_array (bit_generator.pyx)."""
    if isinstance(x, np.ndarray) and x.dtype == np.dtype(np.uint32):
        return x.astype(np.uint32)  # copy
    if isinstance(x, str):
        if x.startswith("0x"):
            x = int(x, base=16)
        elif x.isdigit():
            x = int(x)
        else:
            raise ValueError("unrecognized seed string")
    if isinstance(x, (int, np.integer)):
        return np.array(_int_to_words(int(x)), dtype=np.uint32)
    if isinstance(x, (float, np.inexact)):
        raise TypeError("seed must be integer")
    if len(x) == 0:
        return np.array([], dtype=np.uint32)
    subseqs = [_coerce_to_uint32_array(v) for v in x]
    return np.concatenate(subseqs)


def _lcg_jump(state: int, mult: int, inc: int, delta: int) -> int:
    """Brown's O(log n) jump of an LCG, mod 2^128 (NumPy pcg_advance_lcg_128)."""
    delta = int(delta) & MASK128  # (a NumPy integer would overflow at the mask)
    acc_mult, acc_plus = 1, 0
    cur_mult, cur_plus = mult, inc
    while delta > 0:
        if delta & 1:
            acc_mult = (acc_mult * cur_mult) & MASK128
            acc_plus = (acc_plus * cur_mult + cur_plus) & MASK128
        cur_plus = ((cur_mult + 1) * cur_plus) & MASK128
        cur_mult = (cur_mult * cur_mult) & MASK128
        delta >>= 1
    return (acc_mult * state + acc_plus) & MASK128


_MT_N = 624


def _mt_seed(seed: int) -> np.ndarray:
    """NumPy's mt19937_seed (Knuth's generator), key only."""
    key = [0] * _MT_N
    s = seed & _M32
    for pos in range(_MT_N):
        key[pos] = s
        s = (1812433253 * (s ^ (s >> 30)) + pos + 1) & _M32
    return np.array(key, dtype=np.uint32)


def _mt_init_by_array(init_key: list[int]) -> np.ndarray:
    """NumPy's mt19937_init_by_array (the reference implementation's seeding by array)."""
    mt = _mt_seed(19650218).tolist()
    key_length = len(init_key)
    i, j = 1, 0
    for _ in range(max(_MT_N, key_length)):
        mt[i] = ((mt[i] ^ (((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525) & _M32))
                 + init_key[j] + j) & _M32
        i += 1
        j += 1
        if i >= _MT_N:
            mt[0] = mt[_MT_N - 1]
            i = 1
        if j >= key_length:
            j = 0
    for _ in range(_MT_N - 1):
        mt[i] = ((mt[i] ^ (((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941) & _M32)) - i) & _M32
        i += 1
        if i >= _MT_N:
            mt[0] = mt[_MT_N - 1]
            i = 1
    mt[0] = 0x80000000
    return np.array(mt, dtype=np.uint32)


def _int_to_array(value: Any, name: str, bits: int, uint_size: int) -> np.ndarray:
    """NumPy's int_to_array (_common.pyx): a large integer as little-endian words."""
    length = bits // uint_size
    value = np.asarray(asnumpy(value))
    dtype = np.uint32 if uint_size == 32 else np.uint64
    if value.shape == ():
        value = int(value)
        upper = int(2) ** int(bits)
        if value < 0 or value >= upper:
            raise ValueError(f"{name} must be positive and less than 2**{bits}.")
        out = np.empty(length, dtype=dtype)
        for i in range(length):
            out[i] = value % 2 ** int(uint_size)
            value >>= int(uint_size)
    else:
        out = value.astype(dtype)
        if out.shape != (length,):
            raise ValueError(f"{name} must have {length} elements when using array form")
    return out
