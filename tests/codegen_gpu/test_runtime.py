"""The GPU runtime (lazynp/codegen_gpu/runtime.py) against the fake CuPy (``fake_cupy.py``):
compiling once per structural key, launch configuration from the device's attributes, CUDA
errors naming the kernel, declines and their reasons, ``config.backend="cuda"`` (host inputs
and results), results equal to NumPy's."""

from __future__ import annotations

import numpy as np
import pytest

import lazynp as lnp
from lazynp.codegen_gpu import runtime
from tests.helpers import assert_same

N = 10_000


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(N), rng.uniform(0.5, 2.0, N)


def test_backend_cuda_matches_numpy(fake_cupy):
    a, b = _data()
    m = a.reshape(100, 100)
    cases = [
        (lambda x, y: (x * 2.5 + y) * x - 1.0, (a, b)),
        (lambda x, y: x[::-1] / y + lnp.sqrt(y), (a, b)),
        (lambda x, y: lnp.maximum(x, 0.0) < y, (a, b)),
        (lambda x, y: x.T + y[:, None] * 3, (m, b[:100])),
        (lambda x, y: (x > 0) & (y > 1), (a, b)),
        (lambda x, y: (x * 100).astype(np.int32) + y.astype(np.int32) * 7, (a, b)),
    ]
    with lnp.config(backend="cuda"):
        for fn, (x, y) in cases:
            got = fn(lnp.array(x), lnp.array(y))
            want = fn(x, y)
            assert_same(np.asarray(got), want)
    assert runtime.stats["runs"] == len(cases)


def test_compiled_once_per_structural_key(fake_cupy):
    a, b = _data()
    with lnp.config(backend="cuda"):
        for seed in range(3):  # new data, same statement: one program
            x, y = _data(seed)
            assert_same(np.asarray(lnp.array(x) * 2.0 + lnp.array(y)), x * 2.0 + y)
        assert runtime.stats["compiled"] == 1
        n = 2 * N  # another size, same structure (and 32-bit indices): the same program
        assert_same(np.asarray(lnp.array(np.ones(n)) * 2.0 + lnp.array(np.ones(n))),
                    np.full(n, 3.0))
        assert runtime.stats["compiled"] == 1
        # constants are inlined in CUDA C: another constant is another program
        assert_same(np.asarray(lnp.array(a) * 3.0 + lnp.array(b)), a * 3.0 + b)
        assert runtime.stats["compiled"] == 2


def test_launch_configuration_from_device():
    dev = runtime.DeviceInfo(0, "test", sm_count=4, max_threads_per_block=1024,
                             max_threads_per_sm=2048)
    assert runtime.grid_for(10, dev) == (1, 256)
    assert runtime.grid_for(256 * 5 + 1, dev) == (6, 256)
    cap = runtime.WAVES * 4 * 2048 // 256
    assert runtime.grid_for(1 << 30, dev) == (cap, 256)
    small = dev._replace(max_threads_per_block=128)
    assert runtime.grid_for(1000, small) == (8, 128)
    huge = dev._replace(sm_count=100_000)  # the renderer's 32-bit room caps the threads
    grid, block = runtime.grid_for(1 << 40, huge)
    assert grid * block <= runtime.MAX_THREADS


def test_device_info_read_from_attributes(fake_cupy):
    info = runtime.device_info()
    assert (info.sm_count, info.max_threads_per_block, info.max_threads_per_sm) == (2, 1024, 64)
    assert info.name == "Fake CUDA device (CPU shim)"


def test_cuda_errors_name_the_kernel(fake_cupy):
    a, b = _data()
    fake_cupy.FAIL["launch"] = "CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access"
    with lnp.config(backend="cuda"):
        z = lnp.array(a) * 2.0 + lnp.array(b)
        with pytest.raises(runtime.CudaError, match=r"kernel k_mul_add_f64 \(entry "
                                                    r"lzg_k_mul_add_f64\).*ILLEGAL_ADDRESS"):
            z.force()


def test_compile_errors_name_the_kernel(fake_cupy, monkeypatch):
    def broken(k, bits=None):
        return 'extern "C" __global__ void lzg_broken(int n) { this is not C }', "lzg_broken"
    monkeypatch.setattr(runtime.R, "render", broken)
    a, b = _data()
    with lnp.config(backend="cuda"):
        z = lnp.array(a) - lnp.array(b)
        with pytest.raises(runtime.CudaError, match="could not compile kernel k_sub_f64 "
                                                    r"\(entry lzg_broken\): CompileException"):
            z.force()


def test_declined_kernels_run_on_the_cpu(fake_cupy, capsys):
    a, b = _data()
    with lnp.config(backend="cuda", debug=2):
        got = np.asarray(lnp.degrees(lnp.array(a)) + lnp.array(b))  # degrees: not rendered
    assert_same(got, np.degrees(a) + b)
    assert "declined by cuda (not rendered: op degrees on the GPU renderer" in capsys.readouterr().err
    assert runtime.stats["runs"] == 0


def test_no_device_declines(fake_cupy):
    fake_cupy.DEVICES[0] = 0
    a, b = _data()
    with lnp.config(backend="cuda"):
        assert_same(np.asarray(lnp.array(a) + lnp.array(b)), a + b)
    assert runtime.available().startswith("no usable CUDA device (CUDARuntimeError")
    assert runtime.declined() == runtime.available()


def test_gpu_key_covers_what_the_source_inlines(fake_cupy):
    from lazynp import _array, _engine
    a, b = _data()
    with lnp.config(eager_threshold=0):
        k1 = _engine.plan_of(_array.node_of(lnp.array(a) * 2.0), cached=False).kernels[0]
        k2 = _engine.plan_of(_array.node_of(lnp.array(a) * 3.0), cached=False).kernels[0]
    assert k1.key == k2.key  # the CPU backend's key: constants travel as data
    assert runtime.gpu_key(k1, 32) != runtime.gpu_key(k2, 32)
    assert runtime.gpu_key(k1, 32) != runtime.gpu_key(k1, 64)
