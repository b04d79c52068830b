"""Placement and residency: which kernels run on the CUDA device, and where values live.

The engine calls this module only while it is *active* (``config.device`` is ``gpu`` or
``auto``, or some value lives on the device); otherwise nothing here runs and CuPy is never
imported.

Residency.  A value computed on the device, or placed there (``lazynp.asarray(x,
device="cuda")``, ``x.to_device("cuda")``), is still a NumPy array on the host as far as the
graph is concerned: a *shadow* buffer allocated with ``np.empty`` and never written (its
pages cost nothing until touched), whose shape, strides and views stand for the device
buffer of the same layout.  ``RESIDENT`` maps the id of a root host buffer (the last
``ndarray`` along ``.base``) to its :class:`Entry`: the device copy, whether the host copy is
valid, and the array's *home* device.  A view of a resident value is a NumPy view of the
shadow; its device address is the device buffer's plus the view's byte offset in the
shadow.  So:

* data stays on the device between kernels: a kernel reading a resident value reads the
  device buffer (no transfer); a host buffer read by a device kernel is copied once and its
  device copy kept while the host buffer is not written;
* the host copy is made when Python needs a value, and only then (``sync_host``): the lazy
  array's ``_value()`` (print, ``float()``, ``np.asarray``, NumPy fallbacks, indexing ...),
  a full reduction's scalar, an ``out=`` / slice assignment, and host steps of a plan (a
  kernel the device does not run, a boundary step reading the value);
* a write on the host (``_engine.before_write``, every write path) or an export of the memory
  to user code first makes the host copy valid, then drops the device copy (re-copied by the
  next device kernel that reads it).

Placement, per kernel (:func:`decide`; ``lazynp.explain`` prints each decision):

1. on the CPU if the device cannot run it: no CuPy or device, an op/dtype the CUDA renderer
   does not handle, an output written into an existing array, or an ``errstate`` that raises
   (floating-point flags are reported by the CPU kernels only);
2. on the device if an input's home is the device (computation follows the data, as in the
   array API; a host input is then copied to the device: lazynp never raises for mixed
   devices, it moves the data);
3. ``device=gpu``: on the device; ``device=cpu``: on the CPU;
4. ``device=auto``: on the device when the cost model's estimate of the device run
   (launch latency, copies over the host link of inputs not yet on the device and of the
   result, memory traffic at the device's bandwidth, work at the device's rate) is below the
   estimate of the CPU run (the kernel's cost units at ``CPU_UNIT_S`` per unit and thread).
"""

from __future__ import annotations

import importlib
import sys
import weakref
from collections import deque
from typing import Any, NamedTuple

import numpy as np

from ._config import config

# the cost model of device=auto (seconds; bench/gpu.py prints the measured figures)
CPU_UNIT_S = 0.4e-9      # one cost unit (fusion/cost.py) of one element on one CPU thread
GPU_UNIT_S = 0.004e-9    # the same on the whole device
LINK_BW = 20e9           # bytes/s between host and device
DEVICE_BW = 2e12         # bytes/s of device memory
LAUNCH_S = 20e-6         # launch and synchronization
FILL_UNITS = 2.5         # cost units of one random draw made on the CPU

RESIDENT: dict[int, Entry] = {}
counts = {"h2d": 0, "d2h": 0, "evicted": 0}
HOMES = [0]  # live entries whose home is the device (then placement stays active)
# the last decisions made, as (kernel name, device, reason): benchmarks report them
LOG: deque = deque(maxlen=256)
_rt: list = [None]


class Entry:
    __slots__ = ("ref", "dev", "host_ok", "home", "__weakref__")

    def __init__(self, root: np.ndarray, dev: Any, host_ok: bool, home: str) -> None:
        key = id(root)

        def gone(_: Any, key: int = key, home: str = home) -> None:
            e = RESIDENT.get(key)
            if e is not None and e.ref() is None:
                del RESIDENT[key]
            if home == "cuda":
                HOMES[0] -= 1
        self.ref = weakref.ref(root, gone)
        self.dev, self.host_ok, self.home = dev, host_ok, home
        if home == "cuda":
            HOMES[0] += 1


class Decision(NamedTuple):
    device: str          # "cuda" | "cpu"
    reason: str


def forget() -> None:
    """Drop every device copy and forget where values live (tests swap the CuPy module;
    values whose host copy was stale are lost)."""
    RESIDENT.clear()
    HOMES[0] = 0
    for k in counts:
        counts[k] = 0


def runtime() -> Any:
    rt = _rt[0]
    if rt is None:  # (imported as _backends imports runtimes: on first use, then CuPy)
        rt = _rt[0] = importlib.import_module("lazynp.codegen_gpu.runtime")
    return rt


def active() -> bool:
    """Whether placement decides where kernels run (else the engine's CPU paths alone)."""
    device = config.device
    if device == "cpu":
        # (device copies of host buffers alone change nothing: their host copy is valid)
        return HOMES[0] > 0
    if device == "gpu":
        return True
    return HOMES[0] > 0 or runtime().available() is None


def root(arr: np.ndarray) -> np.ndarray:
    base = arr.base
    while type(base) is np.ndarray or np.ndarray in type(base).__mro__:  # (not a LazyArray)
        arr = base
        base = arr.base
    return arr


def _addr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def entry_of(arr: np.ndarray) -> Entry | None:
    return RESIDENT.get(id(root(arr))) if RESIDENT else None


def sync_host(arr: Any) -> None:
    """Make the host copy of ``arr``'s buffer valid (copied from the device if stale)."""
    if not RESIDENT or not isinstance(arr, np.ndarray):
        return
    r = root(arr)
    e = RESIDENT.get(id(r))
    if e is not None and not e.host_ok and e.ref() is r:
        runtime().download(e.dev, r)
        counts["d2h"] += 1
        e.host_ok = True


def on_host_write(arr: np.ndarray) -> None:
    """The host is about to write ``arr``'s buffer (or hand it to user code): the host copy
    is made valid and the device copy dropped."""
    r = root(arr)
    e = RESIDENT.get(id(r))
    if e is not None and e.ref() is r:
        sync_host(r)
        e.dev = None


def device_view(view: np.ndarray) -> Any:
    """The device array standing for host view ``view`` (its buffer copied to the device
    first when it has no valid device copy)."""
    r = root(view)
    e = RESIDENT.get(id(r))
    if e is None or e.ref() is not r:
        e = None
    if e is None or e.dev is None:
        dev = _roomy(runtime().upload_view, r)
        counts["h2d"] += 1
        if e is None:
            e = RESIDENT[id(r)] = Entry(r, dev, True, "cpu")
        else:
            e.dev, e.host_ok = dev, True
    return runtime().view_at(e.dev, _addr(view) - _addr(r), view.shape, view.dtype,
                             view.strides)


def new_output(host: np.ndarray) -> Any:
    """A device buffer for kernel output ``host`` (a fresh, unwritten host array that stays
    its shadow until the host needs the value)."""
    dev = _roomy(runtime().empty, host.shape, host.dtype, host.strides)
    RESIDENT[id(host)] = Entry(host, dev, False, "cuda")
    return dev


def _roomy(alloc: Any, *args: Any) -> Any:
    """``alloc(*args)`` (a device allocation); when the device is out of memory, the device
    copies of buffers whose host copy is valid are dropped and it is tried once more."""
    try:
        return alloc(*args)
    except runtime().out_of_memory():
        for e in RESIDENT.values():
            if e.host_ok and e.dev is not None:
                e.dev = None
                counts["evicted"] += 1
        return alloc(*args)


def place(host: np.ndarray) -> np.ndarray:
    """A new shadow buffer whose home is the device, holding a copy of ``host``'s values
    (copied to the device only)."""
    rt = runtime()
    why = rt.available()
    if why is not None:
        raise RuntimeError(f"device='cuda' is not available: {why}")
    shadow = np.empty_like(host, order="C")
    dev = _roomy(rt.empty, shadow.shape, shadow.dtype, shadow.strides)
    rt.upload_into(dev, np.ascontiguousarray(host))
    counts["h2d"] += 1
    RESIDENT[id(shadow)] = Entry(shadow, dev, False, "cuda")
    return shadow


def home(arr: Any) -> str:
    if not RESIDENT or not isinstance(arr, np.ndarray):
        return "cpu"
    e = entry_of(arr)
    return "cpu" if e is None else e.home


def device_name(home_: str) -> str:
    return f"cuda:{runtime().device_info().id}" if home_ == "cuda" else "cpu"


def is_cuda(device: Any) -> bool:
    """Whether ``device`` names the GPU ("cuda", "cuda:N" or "gpu") and one is available
    (without one, the caller raises NumPy's error for a device it does not know)."""
    if not (isinstance(device, str) and (device in ("cuda", "gpu")
                                         or device.startswith("cuda:"))):
        return False
    if runtime().available() is not None:
        return False
    if device.startswith("cuda:") and device != device_name("cuda"):
        raise ValueError(f"device {device!r}: lazynp uses one GPU, {device_name('cuda')} "
                         "(CuPy's current device)")
    return True


def device_of(data: Any, node: Any) -> str:
    """``x.device`` of a lazy-tier array (``_data``, ``_node``): "cpu", or "cuda:N" where its
    value lives on the device; a pending array reports where its inputs live (the device if
    any does, or under ``device=gpu``)."""
    if data is None and node is not None and node.value is not None:
        data = node.value
    if data is not None:
        return device_name(home(data)) if RESIDENT else "cpu"
    if config.device == "gpu":
        return device_name("cuda")
    if not RESIDENT:
        return "cpu"
    stack, seen = [node], set()
    while stack and len(seen) < 10000:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if n.value is not None:
            if home(n.value) == "cuda":
                return device_name("cuda")
        else:
            stack.extend(n.inputs)
    return "cpu"


# ----------------------------------------------------------------------------- decisions
def _host_inputs(k: Any) -> list:
    return [i for i in k.inputs if i.fill is None and i.source is None]


def decide(k: Any, default_errstate: Any = None, raises: Any = None) -> Decision:
    """Where kernel ``k`` runs, and why (see the module docstring)."""
    rt = runtime()
    why = rt.available()
    if why is not None:
        if config.device == "gpu":
            raise RuntimeError(f"LAZYNP_DEVICE=gpu: the GPU is not available: {why}")
        return Decision("cpu", f"no GPU: {why}")
    if any(o.existing is not None for o in k.outputs):
        return Decision("cpu", "writes into an existing array")
    if raises is not None and any(
            n.errstate is not default_errstate and raises(n.errstate) for n in k.members):
        return Decision("cpu", "an errstate that raises (floating-point flags: CPU only)")
    if rt.program(k, compile=False) is None:
        return Decision("cpu", f"not on the GPU: {rt.declined()}")
    ins = _host_inputs(k)
    if any(i.node.value is not None and home(i.node.value) == "cuda" for i in ins):
        return Decision("cuda", "inputs live on the device")
    if config.device == "gpu":
        return Decision("cuda", "device=gpu")
    if config.device == "cpu":
        return Decision("cpu", "device=cpu")
    return _auto(k, ins)


def decide_fill(node: Any) -> Decision:
    """Where a materialized lazy random request (a RANDOM source step) is generated."""
    rt = runtime()
    why = rt.available()
    if why is not None:
        return Decision("cpu", f"no GPU: {why}")
    if config.device == "cpu":
        return Decision("cpu", "device=cpu")
    if rt.fill_program(node.params["generate"], node.dtype, _size(node.shape)) is None:
        return Decision("cpu", f"not on the GPU: {rt.declined()}")
    if config.device == "gpu":
        return Decision("cuda", "device=gpu")
    n = _size(node.shape)
    nbytes = n * np.dtype(node.dtype).itemsize
    threads = max(1, int(config.num_threads))
    cpu = n * FILL_UNITS * CPU_UNIT_S / threads
    gpu = LAUNCH_S + nbytes / DEVICE_BW + nbytes / LINK_BW
    return Decision("cuda" if gpu < cpu else "cpu",
                    f"auto: GPU {gpu * 1e3:.3f} ms vs CPU {cpu * 1e3:.3f} ms")


def _size(shape: tuple) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _auto(k: Any, ins: list) -> Decision:
    moved = k.bytes_written
    for i in ins:
        v = i.node.value
        e = None if v is None else entry_of(v)
        if v is not None and (e is None or e.dev is None):
            moved += i.nbytes
    threads = max(1, int(config.num_threads))
    cpu = k.cost * CPU_UNIT_S / threads
    gpu = (LAUNCH_S + moved / LINK_BW + (k.bytes_read + k.bytes_written) / DEVICE_BW
           + k.cost * GPU_UNIT_S)
    where = "cuda" if gpu < cpu else "cpu"
    return Decision(where, f"auto: GPU {gpu * 1e3:.3f} ms ({moved / 1e6:.1f} MB over the link)"
                           f" vs CPU {cpu * 1e3:.3f} ms on {threads} thread(s)")


# ----------------------------------------------------------------------------- running
def _reads_data(step: Any) -> bool:
    if step.kind == "source":
        return False
    if step.kind == "view":
        return step.node.op.value == "reshape"  # (a reshape may copy)
    return True


def execute(plan: Any, realize: Any, on_kernel: Any, host_run: Any, run_steps: Any,
            default_errstate: Any, raises: Any) -> None:
    """Run ``plan`` with each kernel where :func:`decide` places it.  ``host_run(kernel,
    emitted)`` runs a kernel on the CPU (the engine's backend, then the reference executor);
    ``run_steps(plan, realize, on_kernel, run)`` is the step loop (``fusion.execute``)."""
    decisions = {id(k): decide(k, default_errstate, raises) for k in plan.kernels}
    host_needed: set[int] = set()
    for s in plan.steps:
        if id(s) in decisions:
            if decisions[id(s)].device == "cpu":
                host_needed.update(i.node.id for i in _host_inputs(s))
        elif s.node.value is None and _reads_data(s):
            for n in s.node.inputs:
                if n.value is not None:
                    sync_host(n.value)
                else:
                    host_needed.add(n.id)
    rt = runtime()
    debug = config.debug
    for s in plan.steps:  # random requests generated on the device (sources: no inputs)
        if id(s) in decisions:
            continue
        n = s.node
        if s.kind != "source" or n.value is not None or n.op.value != "random":
            continue
        d = decide_fill(n)
        LOG.append((f"random %{n.id}", d.device, d.reason))
        if debug >= 2:
            print(f"lazynp:   random %{n.id}: on {d.device} ({d.reason})", file=sys.stderr)
        if d.device == "cuda":
            host = np.empty(n.shape, n.dtype)
            rt.run_fill(n.params["generate"], n.dtype, new_output(host))
            if n.id in host_needed:
                sync_host(host)
            realize(n, host)

    def run(k: Any, emitted: set) -> list:
        d = decisions[id(k)]
        LOG.append((k.name, d.device, d.reason))
        if debug >= 2:
            print(f"lazynp:   {k.name}: on {d.device} ({d.reason})", file=sys.stderr)
        if d.device == "cpu":
            for i in _host_inputs(k):
                sync_host(i.node.value)
            return host_run(k, emitted)
        inputs = [None if i.fill is not None or i.source is not None
                  else device_view(i.array(k.shape)) for i in k.inputs]
        host = k.outputs[0].allocate()
        rt.launch(k, inputs, new_output(host))
        if k.outputs[0].node.id in host_needed:
            sync_host(host)
        return [host]

    run_steps(plan, realize, on_kernel, run)


def explain_lines(plan: Any, default_errstate: Any = None, raises: Any = None) -> list[str]:
    lines = ["placement (config.device=" + config.device + "):"]
    kernels = {id(k) for k in plan.kernels}
    for i, s in enumerate(plan.steps, 1):
        if id(s) in kernels:
            d = decide(s, default_errstate, raises)
            lines.append(f"  step {i}: {s.name} on {d.device}: {d.reason}")
        elif s.kind == "source" and s.node.op.value == "random" and s.node.value is None:
            d = decide_fill(s.node)
            lines.append(f"  step {i}: random %{s.node.id} on {d.device}: {d.reason}")
    return lines
