"""Every lazynp setting, registered once (design rule 7, docs/design.md).

Each setting has a default, a type and a ``LAZYNP_<NAME>`` environment variable that is
read once at import.  At run time settings are read as attributes of ``config`` and changed
either permanently with ``config.set(name=value)`` or for a block with the context manager
``with config(name=value): ...`` (thread-local override stack is not needed: lazynp's graph
is process-global, so overrides are process-global too).

Debug levels (``LAZYNP_DEBUG``), in order of detail:
  1  kernel / force counts per force
  2  per-kernel time and GB/s
  3  fusion groups and why they were cut
  4  generated LLVM IR / CUDA source
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
from typing import Any, Callable, Iterator, NamedTuple

from ._backends import REGISTRY  # (the one list of backends)


def _parse_bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"cannot read {text!r} as a boolean")


def _parse_backend(text: str) -> str:
    low = text.strip().lower()
    if low not in REGISTRY:
        raise ValueError(f"LAZYNP_BACKEND must be one of {', '.join(REGISTRY)}, not {text!r}")
    return low


_parse_backend.__name__ = "str"  # the settings tables show the value's type


def _parse_device(text: str) -> str:
    low = str(text).strip().lower()
    if low not in ("cpu", "gpu", "auto"):
        raise ValueError(f"LAZYNP_DEVICE must be cpu, gpu or auto, not {text!r}")
    return low


def _check_device(text: str) -> str:
    """``config.set(device=...)``: ``gpu`` needs CuPy and a CUDA device (a clear error at
    once); ``auto`` without them means ``cpu``.  (From ``LAZYNP_DEVICE`` the check is made by
    the first kernel: importing lazynp never imports CuPy.)"""
    low = _parse_device(text)
    if low == "gpu":
        # (imported as _backends imports runtimes: CuPy only when the GPU is asked for)
        why = importlib.import_module("lazynp.codegen_gpu.runtime").available()
        if why is not None:
            raise ValueError(f"device='gpu' is not available: {why}")
    return low


_parse_device.__name__ = "str"


def _parse_scheduler(text: str) -> str:
    low = str(text).strip().lower()
    if low not in ("local", "dask"):
        raise ValueError(f"LAZYNP_SCHEDULER must be local or dask, not {text!r}")
    if low == "dask" and importlib.util.find_spec("dask") is None:  # (found, not imported)
        raise ValueError("LAZYNP_SCHEDULER=dask needs Dask: pip install 'lazynp[dask]'")
    return low


_parse_scheduler.__name__ = "str"


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lazynp")


class Setting(NamedTuple):  # (not a dataclass: importing dataclasses costs start-up time)
    name: str
    default: Any
    parse: Callable[[str], Any]
    doc: str

    @property
    def env(self) -> str:
        return "LAZYNP_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("eager", False, _parse_bool,
            "run every operation eagerly through NumPy (no graph at all)"),
    Setting("eager_threshold", 2097152, int,
            "the two tiers: arrays with fewer elements are NumPy's own and computed by NumPy at "
            "once; larger ones are lazynp arrays whose operations are recorded and fused "
            "(calibrated by bench/calibrate_threshold.py)"),
    Setting("max_depth", 64, int,
            "a pending graph deeper than this is forced automatically when recorded"),
    Setting("max_nodes", 512, int,
            "a pending graph with more nodes than this is forced automatically"),
    Setting("debug", 0, int,
            "0 quiet; 1 force counts; 2 per-kernel time; 3 fusion groups; 4 generated code"),
    Setting("explain_on_force", False, _parse_bool,
            "print the plan of every forced graph to stderr (python -m lazynp run --explain)"),
    Setting("fusion", True, _parse_bool,
            "fuse elementwise chains and reductions into kernels (0 for debugging)"),
    Setting("fusion_recompute_limit", 10.0, float,
            "a node read by several kernels is recomputed in each when its recompute cost "
            "is at most this, else materialized once"),
    Setting("fusion_max_cost", 200.0, float,
            "a fused kernel whose body costs more than this per element is split at the "
            "cheapest cut"),
    Setting("fusion_block_size", 65536, int,
            "elements per block of the reference executor (block-sized temporaries only)"),
    Setting("num_threads", os.cpu_count() or 1, int,
            "threads used by compiled CPU kernels"),
    Setting("parallel_threshold", 2_500_000, float,
            "compiled kernels whose estimated work (elements times the cost model's cost per "
            "element: about 5 for a*b+1, 24 for exp(a)*sin(b)) is below this run on the "
            "calling thread (calibrated by bench/calibrate_threads.py)"),
    Setting("malloc_retain", 256 << 20, int,
            "bytes of freed memory the C allocator keeps for reuse once the lazy tier runs "
            "(glibc mallopt; arrays under 32 MB then come from its heap): a large temporary "
            "freed and made again in a loop costs no page faults; 0 leaves the allocator as it "
            "is"),
    Setting("cache", True, _parse_bool, "keep compiled kernels in an on-disk cache"),
    Setting("cache_dir", _default_cache_dir(), str, "where the on-disk kernel cache lives"),
    Setting("fastmath", False, _parse_bool,
            "compile kernels with fast-math flags (reassociation, FMA contraction, reciprocals; "
            "never nnan/ninf): faster, results differ from NumPy in the last bits"),
    Setting("device", "cpu", _parse_device,
            "where fused kernels run: cpu; gpu (every kernel the CUDA backend renders runs on the "
            "device, needs CuPy and a CUDA device); auto (a kernel runs on the device when the "
            "cost model, copies included, says it is faster; cpu without CuPy or a device). "
            "Kernels reading data that lives on the device run there in every mode "
            "(docs/gpu.md)"),
    Setting("backend", "llvm", _parse_backend,
            "who runs fused CPU kernels: llvm (compiled; kernels it cannot run go to the "
            "reference executor), reference (NumPy, block by block) or cuda (every kernel on "
            "the CUDA device with host inputs and results, for tests; use device=gpu)"),
    Setting("scheduler", "local", _parse_scheduler,
            "where forced graphs run: local (this process) or dask (a graph with a node larger "
            "than dask_chunks elements runs as a Dask graph on the current Dask scheduler, one "
            "fused kernel per chunk: lazynp.to_dask, docs/scale.md)"),
    Setting("dask_chunks", 1 << 24, int,
            "elements per chunk of lazynp graphs run as Dask graphs (lazynp.to_dask's default "
            "chunks, C-ordered blocks)"),
)


class Config:
    """Attribute access to every setting, plus ``set`` and a context-manager call form.

    Values live in the instance ``__dict__`` so that reading a setting on the hot path is a
    plain attribute lookup.
    """

    def __init__(self) -> None:
        for s in SETTINGS:
            raw = os.environ.get(s.env)
            object.__setattr__(self, s.name, s.default if raw is None else s.parse(raw))

    def __setattr__(self, name: str, value: Any) -> None:
        self.set(**{name: value})

    def set(self, **kwargs: Any) -> None:
        for name, value in kwargs.items():
            if name not in _NAMES:
                raise AttributeError(f"lazynp has no setting {name!r}")
            if name in _CHECKED:  # (string settings with a fixed set of values)
                value = _CHECKED[name](value)
            object.__setattr__(self, name, value)
        EAGER_LIMIT[0] = (1 << 62) if self.eager else self.eager_threshold
        EAGER_LIMIT[1] = object()  # a new token: "small" marks made under old limits expire
        for listener in _LISTENERS:
            listener()

    @contextlib.contextmanager
    def __call__(self, **kwargs: Any) -> Iterator[Config]:
        old = {name: getattr(self, name) for name in kwargs if name in _NAMES}
        self.set(**kwargs)
        try:
            yield self
        finally:
            self.set(**old)

    def as_dict(self) -> dict[str, Any]:
        return {s.name: getattr(self, s.name) for s in SETTINGS}

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items())
        return f"lazynp.config({body})"


_NAMES = frozenset(s.name for s in SETTINGS)
_CHECKED = {"device": _check_device, "backend": _parse_backend,
            "scheduler": _parse_scheduler}
# Results with fewer elements than EAGER_LIMIT[0] (and only concrete inputs) are computed at
# once: ``eager_threshold``, or everything under ``eager``.  EAGER_LIMIT[1] is a token that
# changes with the limit; concrete arrays under the limit carry it (``ndarray._small``) so the
# operators' eager fast path is a single identity test.  Derived from the two settings on
# every change; a list so the hot paths read it without attribute lookups.
EAGER_LIMIT: list = [0, None]
_LISTENERS: list[Callable[[], None]] = []


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener()`` after every change of settings (hot paths cache derived values)."""
    _LISTENERS.append(listener)
    listener()
config = Config()
config.set()
