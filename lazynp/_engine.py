"""force(): pending sub-DAG -> (fusion plans ->) backend -> concrete buffers.

This module is the orchestration layer above ``graph/`` (and, later, ``fusion/`` and the
code generators).  It owns three things:

* ``record(node)``: bookkeeping for a freshly recorded node (reader registration, automatic
  forcing when the pending graph grows past ``config.max_depth`` / ``config.max_nodes``, or
  when the recording ``errstate`` asks for exceptions, which must surface at the call).
* ``force(node)``: evaluates every pending node the given one depends on, inputs first,
  through the semantics table (the reference path), each under the errstate captured when it
  was recorded, and stores the results on the nodes (which then drop their inputs).
* The write registry (design rule 4, docs/design.md): for every base buffer, the pending
  nodes that read it.
  ``before_write(arr)`` forces them before anybody writes into ``arr``'s memory, so a lazy
  expression recorded before a write reads the old values.
"""

from __future__ import annotations

import sys
import weakref
from collections import Counter
from typing import Any

import numpy as np
from numpy._core import _ufunc_config

from . import _backends, _placement
from ._config import config, on_change
from ._memory import retain
from .graph.node import Node, pending_subgraph
from .graph.ops import Op
from .graph.semantics import evaluate

_extobj = _ufunc_config._extobj_contextvar
_FILLS = frozenset({Op.FULL, Op.RANDOM})  # sources a kernel computes in its blocks

# The fusion planner is imported on the first fused force (``_load_fusion``), not at ``import
# lazynp``: a script whose arrays all stay under the eager threshold never needs it.  Every
# function below that uses these names calls ``_load_fusion()`` first while ``plancache`` is
# None.
Kernel = NodeStep = RunSettings = execute = make_plan = plancache = None
run_kernel_reported = run_step = None
format_groups = format_plan = kernel_timing = None


def _load_fusion() -> None:
    global Kernel, NodeStep, RunSettings, execute, make_plan, plancache, run_kernel_reported
    global run_step, format_groups, format_plan, kernel_timing
    from .fusion import (
        Kernel,
        NodeStep,
        RunSettings,
        execute,
        make_plan,
        plancache,
        run_kernel_reported,
        run_step,
    )
    from .fusion.explain import format_groups, format_plan, kernel_timing
    # the lazy tier keeps large arrays alive together: freed memory is kept for reuse
    retain(config.malloc_retain)
    on_change(_refresh_settings)

# id(root buffer object) -> weak references to pending nodes that read from it
_registry: dict[int, list] = {}
_registrations = 0

_stats: dict[str, Any] = {"forces": 0, "nodes_evaluated": 0, "kernels": 0,
                          "fallbacks": Counter()}


def stats() -> dict[str, Any]:
    """Counters since start (or ``reset_stats``): forces, nodes evaluated, fused kernels run,
    fallbacks by name."""
    return {"forces": _stats["forces"], "nodes_evaluated": _stats["nodes_evaluated"],
            "kernels": _stats["kernels"], "fallbacks": dict(_stats["fallbacks"])}


def reset_stats() -> None:
    _stats["forces"] = 0
    _stats["nodes_evaluated"] = 0
    _stats["kernels"] = 0
    _stats["fallbacks"].clear()


def count_fallback(name: str) -> None:
    _stats["fallbacks"][name] += 1


def root_of(arr: np.ndarray) -> int:
    """Identity of the object that owns ``arr``'s memory (``alias_root``: one for all the
    mappings of a file)."""
    base = arr.base
    while base is not None:
        arr = base
        base = getattr(arr, "base", None)
    if _aliases:
        return _aliases.get(id(arr), id(arr))
    return id(arr)


# id(owner object) -> the identity its memory has in the write registry and the exports when
# other objects own the same memory (the mappings of one file: ``_memmap``)
_aliases: dict[int, int] = {}


def alias_root(owner: Any, rid: int) -> None:
    """Give the memory ``owner`` owns the identity ``rid`` (a negative number, unlike
    ``id``'s) while ``owner`` lives."""
    _aliases[id(owner)] = rid
    weakref.finalize(owner, _aliases.pop, id(owner), None)


def _register(rid: int, ref: weakref.ref) -> None:
    global _registrations
    lst = _registry.get(rid)
    if lst is None:
        _registry[rid] = [ref]
    else:
        lst.append(ref)
        if len(lst) >= 64 and (len(lst) & (len(lst) - 1)) == 0:
            lst[:] = [r for r in lst if _is_pending(r)]
    _registrations += 1
    if _registrations >= 65536:
        _sweep()


def _is_pending(ref: weakref.ref) -> bool:
    n = ref()
    return n is not None and n.value is None


def _sweep() -> None:
    global _registrations
    _registrations = 0
    for rid in list(_registry):
        live = [r for r in _registry[rid] if _is_pending(r)]
        if live:
            _registry[rid] = live
        else:
            del _registry[rid]


# ------------------------------------------------------------------ exported views
# NumPy views of lazynp-owned memory handed to user code (small slices of a large array,
# ``__array__``): id(root buffer object) -> weak references to them.  NumPy writes through
# them without telling lazynp, so pending readers are forced when one is handed out
# (``export``) and a node recorded while one is alive reads a snapshot of the memory
# (``exported``).  Dead references are dropped when a root is checked, and when its list
# doubles past 64 entries (a loop over rows exports one view per iteration).
_exports: dict[int, list] = {}
_ref = weakref.ref


def export(view: np.ndarray, owner: np.ndarray | None = None) -> np.ndarray:
    """Hand ``view`` (NumPy's view of lazynp-owned memory; ``owner``: its ``.base`` when
    the caller has it) to user code; returns it."""
    if _placement.RESIDENT:
        _placement.on_host_write(view)  # (user code may write it: the host copy rules)
    rid = id(owner) if owner is not None and owner.base is None else root_of(view)
    if rid in _registry and not _frozen(view):
        force_readers(rid)  # whoever holds the view may write: earlier readers go first
    refs = _exports.get(rid)
    if refs is None:
        _exports[rid] = [_ref(view)]
    elif refs[-1]() is None:  # (a loop over rows: the last row's view is gone)
        refs[-1] = _ref(view)
    else:
        refs.append(_ref(view))
        n = len(refs)
        if n >= 64 and not n & (n - 1):
            refs[:] = [r for r in refs if r() is not None]
    return view


def exported(arr: np.ndarray) -> bool:
    """Whether a NumPy view that user code holds may write ``arr``'s memory."""
    rid = root_of(arr)
    refs = _exports.get(rid)
    if refs is None:
        return False
    live = [r for r in refs if r() is not None]
    if live:
        _exports[rid] = live
        # (views of read-only memory that NumPy cannot make writeable, a read-only file
        # mapping's: nothing can be written through them, and no snapshot is taken)
        return any(not _frozen(v) for v in [r() for r in live] if v is not None)
    del _exports[rid]
    return False


def _frozen(view: np.ndarray) -> bool:
    """Whether nobody can write ``view``'s memory through NumPy: it is read-only and its
    memory's owner is not an array (whose flag could be set again) but a read-only buffer."""
    if view.flags.writeable:
        return False
    owner = view.base
    while isinstance(owner, np.ndarray):
        owner = owner.base
    try:
        return owner is not None and memoryview(owner).readonly
    except TypeError:
        return False


# errstate capsule -> whether it asks for exceptions/callbacks (then ops run at the call)
_raising_errstate: dict[Any, bool] = {}
_default_errstate = _extobj.get()


def _errstate_raises(state: Any) -> bool:
    try:
        return _raising_errstate[state]
    except KeyError:
        pass
    token = _extobj.set(state)
    try:
        modes = np.geterr()
    finally:
        _extobj.reset(token)
    raises = any(m in ("raise", "call") for m in modes.values())
    if len(_raising_errstate) > 256:
        _raising_errstate.clear()
    _raising_errstate[state] = raises
    return raises


def record(node: Node) -> Node:
    """Register a freshly built pending node; force it at once when limits say so."""
    ref = None
    for inp in node.inputs:
        if inp.value is None:
            inp.add_reader(node)
        else:
            if ref is None:
                ref = weakref.ref(node)
            _register(root_of(inp.value), ref)
    if (node.depth > config.max_depth or node.weight > config.max_nodes
            or (node.errstate is not _default_errstate and _errstate_raises(node.errstate))):
        force(node)
    return node


def realize(node: Node, value: np.ndarray) -> None:
    node.value = value
    node.inputs = ()
    readers = node.readers
    if readers:
        node.readers = None
        rid = root_of(value)
        for r in readers:
            if _is_pending(r):
                _register(rid, r)


def before_write(arr: np.ndarray, exclude: frozenset = frozenset()) -> None:
    """Force every pending node that reads memory owned by ``arr``'s base buffer (except the
    nodes whose ids are in ``exclude``: the computation about to write there itself)."""
    if _placement.RESIDENT:
        _placement.on_host_write(arr)  # (the host copy is made valid, the device copy dropped)
    if _registry:
        force_readers(root_of(arr), exclude)


def force_readers(rid: int, exclude: frozenset = frozenset()) -> None:
    """``before_write`` for the buffer whose root object has id ``rid``."""
    while True:
        refs = _registry.pop(rid, None)
        if not refs:
            return
        for r in refs:
            n = r()
            if n is not None and n.value is None and n.id not in exclude:
                force(n)


def assign(target: np.ndarray, node: Node, held_root: bool = False) -> None:
    """``target[...] = <value of node>``: NumPy's slice assignment of a pending value.

    When the value's last fused kernel can write straight into ``target`` it does (no
    temporary; design rule 4, docs/design.md: the existing buffer is written, object identity
    is kept).  That
    needs the same shape and dtype, no input that overlaps ``target`` other than ``target``
    itself read at the very positions written, and, when such an input exists, no node of the
    computation still visible to anyone (held by a live array or read by a pending node
    outside it), since those would read the new values afterwards.  Without one, a visible
    inner node (``np.add(x * 2, y, out=z)``: ``x * 2`` is held by the call's arguments) stays
    pending and is recomputed if it is ever read, so a value written into a memory-mapped
    file never needs a full-size buffer of its own.  The root must not be held (a held value
    is computed once and kept, design rule 6) unless ``held_root`` (``lazynp.save``: the
    array stays pending).  Otherwise the value is computed, then copied.
    (A caller holding a temporary array around ``node`` clears ``node.holder`` first.)
    """
    if (node.value is None and node.dtype != target.dtype and node.dtype.kind in "biuf"
            and target.dtype.kind in "biuf" and node.shape == target.shape):
        # NumPy's assignment casts (unsafe): the cast is computed in the kernel
        node = record(Node(Op.CAST, (node,), None, node.shape, target.dtype))
    if node.value is None and config.fusion and node.shape == target.shape \
            and node.dtype == target.dtype and target.flags.writeable:
        if node.op in _FILLS:
            # a bare source (``m[...] = rng.random(n)``) is a plan step that fills a buffer
            # of its own: a copy kernel generates it block by block into ``target`` instead
            node = record(Node(Op.COPY, (node,), {"order": "K"}, node.shape, node.dtype))
        if plancache is None:
            _load_fusion()
        if _plans_cacheable():
            template, nodes, key, same = plancache.lookup(node, config.fusion_recompute_limit,
                                                          config.fusion_max_cost)
            if template is not None and same and _assign_direct(template, nodes, node, target,
                                                                held_root):
                return
            plan = plancache.plan_from(template, nodes, key, same, node,
                                       config.fusion_recompute_limit, config.fusion_max_cost)
            del template, nodes  # (see below: the nodes must not outlive the plan)
        else:
            plan = plan_of(node)
        if _writes_in_place(plan, target, held_root):
            before_write(target, frozenset(n.id for n in plan.nodes))
            plan.steps[-1].outputs[0].existing = target
            _execute(plan, _realize_except(node))
            _stats["forces"] += 1
            _stats["nodes_evaluated"] += len(plan.nodes)
            _stats["kernels"] += len(plan.kernels)
            return
        value = _force_fused(node, plan)
        private = _private_nodes(plan)
        # (the plan's node list would keep the computation's inner nodes pending and alive)
        del plan
    else:
        value = force(node)
        private = frozenset()
    before_write(target, private)
    _placement.sync_host(value)
    target[...] = value


def _private_nodes(plan: Any) -> frozenset:
    """Ids of the pending nodes of ``plan`` that nobody can read after it ran: not held by a
    live array and read by no pending node other than private ones of the plan.  (A node
    still reachable through a temporary of the running statement, ``c += <expr>``, must not
    be recomputed when the target is written: nothing will read it.)"""
    members = {n.id for n in plan.nodes}
    public = set()
    private = set()
    for n in reversed(plan.nodes):  # (readers before the nodes they read)
        if n.value is not None:
            continue
        if n.held:
            public.add(n.id)
            continue
        for r in n.readers or ():
            reader = r()
            if reader is not None and reader.value is None and (
                    reader.id not in members or reader.id in public):
                public.add(n.id)
                break
        else:
            private.add(n.id)
    return frozenset(private)


def _assign_direct(template: Any, nodes: list, root: Node, target: np.ndarray,
                   held_root: bool) -> bool:
    """``target[...] = <value of root>`` straight from a plan-cache template of one
    elementwise kernel (``runtime.run_direct`` into ``target``): whether it ran.  The
    conditions are ``_writes_in_place``'s: no node of the computation visible to anyone
    else, and an input that shares memory with ``target`` reads it at the very positions
    written (``a += expr``: the run goes block by block through a scratch buffer).  A run
    without such an input that raises a floating-point flag is redone the usual way (it
    reads the same inputs); one with it leaves the blocks not yet written to the reference
    executor, which reports the flags as NumPy does."""
    steps = template.steps
    if len(steps) != 1 or type(steps[0]) is not Kernel or config.debug >= 2:
        return False
    direct = _direct_backend()
    if direct is None:
        return False
    k = steps[0]
    pending = nodes[:len(template.nodes)]
    if any(n.value is not None for n in pending):
        return False
    overlap = False
    for n in nodes[len(pending):]:
        meets = _meets(n.value, target)
        if meets is None:
            return False
        overlap = overlap or meets  # read at the very positions written (``a += expr``)
    if _visible(pending, root, overlap, held_root):
        return False
    ids = frozenset(n.id for n in pending)
    before_write(target, ids)
    done = direct(k, nodes, _settings[0], target, overlap)
    if done is None:
        return False
    if type(done) is tuple:
        # a block raised a floating-point flag: the blocks not written run on the
        # reference executor, which reports the flags as NumPy does
        plan = plancache.instantiate(template, nodes)
        last = plan.steps[-1]
        last.outputs[0].existing = target
        last.done, last.done_block = done
        execute(plan, _realize_except(root), config.fusion_block_size)
    _stats["forces"] += 1
    _stats["nodes_evaluated"] += len(pending)
    _stats["kernels"] += 1
    return True


def _writes_in_place(plan: Any, target: np.ndarray, held_root: bool = False) -> bool:
    last = plan.steps[-1] if plan.steps else None
    if (not isinstance(last, Kernel) or last.reduction is not None or len(last.outputs) != 1
            or last.outputs[0].node is not plan.root):
        return False
    overlap = False
    for inp in last.inputs:
        if inp.node.value is None:  # computed by an earlier step or generated: no overlap
            continue
        meets = _meets(inp.array(last.shape), target)
        if meets is None:
            return False
        overlap = overlap or meets
    # (an earlier step's input: read before the last kernel writes, but its nodes are
    # visible inputs of the last kernel only through realized values)
    return not _visible(plan.nodes, plan.root, overlap or _reads_target(plan, target),
                        held_root)


def _reads_target(plan: Any, target: np.ndarray) -> bool:
    """Whether a kernel or step of ``plan`` before its last reads memory of ``target``."""
    for step in plan.steps[:-1]:
        for n in step.node.inputs if isinstance(step, NodeStep) else (
                i.node for i in step.inputs):
            if n.value is not None and np.may_share_memory(n.value, target):
                return True
    return False


def _visible(pending: list, root: Node | None = None, overlap: bool = True,
             held_root: bool = False) -> bool:
    """Whether a node of a computation (its pending nodes ``pending``) is visible to anyone
    else: held by a live array, or read by a pending node outside it.  Then the computation
    cannot be written into a target in place: those would read the new values afterwards.
    Without ``overlap`` (no input of the computation shares memory with the target) only
    the ``root`` counts (a held root is computed once and kept unless ``held_root``): an
    inner node left pending reads the same values when it is forced later."""
    if not overlap:
        return root is not None and root.held and not held_root
    ids = {n.id for n in pending}
    for n in pending:
        if n.held:
            return True
        for r in n.readers or ():
            reader = r()
            if reader is not None and reader.value is None and reader.id not in ids:
                return True
    return False


def _meets(arr: np.ndarray, target: np.ndarray) -> bool | None:
    """How a kernel input ``arr`` meets the ``target`` the kernel writes in place: False (no
    shared memory), True (it reads the very positions written: an elementwise kernel may
    overwrite them) or None (it overlaps elsewhere: no in-place write)."""
    if not np.may_share_memory(arr, target):
        return False
    if (arr.__array_interface__["data"][0] == target.__array_interface__["data"][0]
            and arr.strides == target.strides and arr.dtype == target.dtype):
        return True
    return None


def _realize_except(root: Node) -> Any:
    # the root's value lives in the caller's buffer: the root is left pending and dies with
    # its last reference (nothing else can read it: see _writes_in_place)
    def store(n: Node, value: np.ndarray) -> None:
        if n is not root:
            realize(n, value)
    return store


def force(node: Node) -> np.ndarray:
    """Evaluate ``node`` and everything pending below it; return its value."""
    if node.value is not None:
        return node.value
    if config.scheduler == "dask" and _dask_graph().force_through_dask(node):
        return node.value
    if config.fusion:
        return _force_fused(node)
    _stats["forces"] += 1
    order = pending_subgraph(node)
    if config.explain_on_force:
        from .graph.printing import format_dag  # (debug output: loaded on first use)
        print(format_dag(node), file=sys.stderr)
    if config.debug >= 1:
        print(f"lazynp: force %{node.id}: {len(order)} node(s) on the reference path",
              file=sys.stderr)
    for n in order:
        values = [i.value for i in n.inputs]
        if _placement.RESIDENT:  # (the unfused path runs on the host)
            for v in values:
                _placement.sync_host(v)
        token = _extobj.set(n.errstate)
        try:
            value = evaluate(n, values)
        finally:
            _extobj.reset(token)
        realize(n, value)
    _stats["nodes_evaluated"] += len(order)
    return node.value


def placement_lines(plan: Any) -> list[str]:
    """``lazynp.explain``'s lines on where each kernel runs and why (none while placement is
    not active: everything runs on the CPU)."""
    if not _placement.active():
        return []
    return _placement.explain_lines(plan, _default_errstate, _errstate_raises)


def host_value(node: Node) -> np.ndarray:
    """``force(node)`` with the value's host copy valid (Python reads it now)."""
    value = force(node)
    _placement.sync_host(value)
    return value


def _dask_graph() -> Any:
    """``lazynp.dask.graph`` (Dask), imported on the first force under ``scheduler="dask"``
    (with ``importlib``: it imports this module)."""
    import importlib
    return importlib.import_module("lazynp.dask.graph")


def _plans_cacheable() -> bool:
    """Plans may come from the plan cache unless they are printed (their reason strings
    name the first plan's node ids)."""
    return not config.explain_on_force and config.debug < 3


def plan_of(node: Node, cached: bool = True) -> Any:
    """The fusion plan ``force(node)`` would run now (settings from ``config``); from the
    plan cache unless ``cached`` is false or plans are being printed."""
    if plancache is None:
        _load_fusion()
    if cached and _plans_cacheable():
        return plancache.cached_plan(node, config.fusion_recompute_limit,
                                     config.fusion_max_cost)
    return make_plan(node, config.fusion_recompute_limit, config.fusion_max_cost)


# what executors read of the settings (fusion.plan.RunSettings), rebuilt on every change of
# settings: handed to the backend with each run
_settings: list = [None]


def _refresh_settings() -> None:
    if RunSettings is not None:
        _settings[0] = RunSettings(int(config.fusion_block_size), int(config.num_threads),
                                   float(config.parallel_threshold), bool(config.fastmath),
                                   config.cache_dir if config.cache else None,
                                   int(config.debug))


def _backend() -> Any:
    """The compiled backend ``config.backend`` names (``lazynp/_backends.py``), or None for
    the reference executor alone."""
    return _backends.get(config.backend)


def _direct_backend() -> Any:
    """The compiled backend's way to run a cached plan's single kernel straight from the
    plan-cache template (``runtime.run_direct``), or None."""
    b = _backends.get(config.backend)
    if b is None or _placement.active():  # (placement decides per kernel: the full path)
        return None
    return b.run_direct


def _execute(plan: Any, realize: Any, on_kernel: Any = None) -> None:
    """Run ``plan``: each kernel on the compiled backend first; a kernel it declines (an op,
    dtype or layout it does not handle, a floating-point flag NumPy must report) on the
    reference executor, which also runs the plan's other steps.  (``LAZYNP_DEBUG=2`` prints
    each decline and its reason.)"""
    backend = _backends.get(config.backend)
    settings = _settings[0]
    block_size = settings.block_size
    if backend is None and not _placement.active():
        execute(plan, realize, block_size, on_kernel)
        return

    def run(step: Any, emitted: set) -> list:
        if backend is None:
            return run_kernel_reported(step, block_size, emitted)
        values = backend.run_kernel(step, settings)
        if values is None:
            if config.debug >= 2:
                print(f"lazynp:   {step.name}: declined by {backend.name} "
                      f"({backend.declined()}), run on the reference executor",
                      file=sys.stderr)
            values = run_kernel_reported(step, block_size, emitted)
        return values

    if _placement.active():  # (kernels placed on the CUDA device or the CPU: _placement.py)
        def steps(plan: Any, realize: Any, on_kernel: Any, run_placed: Any) -> None:
            execute(plan, realize, block_size, on_kernel, run_placed)
        _placement.execute(plan, realize, on_kernel, run, steps, _default_errstate,
                           _errstate_raises)
        return
    execute(plan, realize, block_size, on_kernel, run)


def _force_fused(node: Node, plan: Any = None) -> np.ndarray:
    """force() through the fusion planner and the reference executor (config.fusion);
    ``plan``: one already made for ``node`` (by ``assign``)."""
    if node.value is not None:
        return node.value
    if plancache is None:
        _load_fusion()
    _stats["forces"] += 1
    if plan is None and _plans_cacheable():
        template, nodes, key, same = plancache.lookup(node, config.fusion_recompute_limit,
                                                      config.fusion_max_cost)
        # (the direct path runs the template's kernel itself: its constants must be ours;
        # debug 2 times every kernel)
        if template is not None and same and config.debug < 2:
            steps = template.steps
            direct = _direct_backend()
            if direct is not None and len(steps) == 1 and type(steps[0]) is Kernel:
                value = direct(steps[0], nodes, _settings[0])
                if value is not None:
                    realize(node, value)
                    _stats["nodes_evaluated"] += len(template.nodes)
                    _stats["kernels"] += 1
                    return value
        plan = plancache.plan_from(template, nodes, key, same, node,
                                   config.fusion_recompute_limit, config.fusion_max_cost)
    elif plan is None:
        plan = plan_of(node)
    if config.explain_on_force:
        print(format_plan(plan), file=sys.stderr)
    if config.debug >= 1:
        print(f"lazynp: force %{node.id}: {len(plan.kernels)} kernel(s), "
              f"{len(plan.steps) - len(plan.kernels)} other step(s), "
              f"{len(plan.nodes)} node(s)", file=sys.stderr)
    if config.debug >= 3:
        print(format_groups(plan), file=sys.stderr)
    on_kernel = None
    if config.debug >= 2:
        def on_kernel(kernel: Any, seconds: float) -> None:
            print(kernel_timing(kernel, seconds), file=sys.stderr)
    _execute(plan, realize, on_kernel)
    _stats["nodes_evaluated"] += len(plan.nodes)
    _stats["kernels"] += len(plan.kernels)
    return node.value
