"""Kernel plans with a reduction -> CUDA C, and the launches that run them.

``render_reduction(kernel) -> ReduceCode`` for a kernel with a reduction (the runtime calls
it; ``render.render`` is the elementwise kernels').  A :class:`ReduceCode` holds:

* ``source``: CUDA C with three ``extern "C" __global__`` entries, ``{name}_part``,
  ``{name}_comb`` and ``{name}_fin`` (``name = "lzg_" + kernel.name``);
* ``params``: entry -> its parameters as ``(C type, name)``, in order;
* ``launches(arrays, out, leaf=None, chunk=None, kernel=None) -> (buffers, [Launch,
  ...])``: for the kernel rendered, or ``kernel`` (another with the same ``key``), input
  views ``arrays`` (each with the iteration shape, as ``KernelInput.array`` gives them) and
  the output array ``out`` (the kernel output's shape), ``buffers`` lists the scratch
  buffers as ``(elements, dtype)`` and the launches run in order (one stream).  A
  :class:`Launch` has ``entry``, ``items`` (work items) and ``args``, one per parameter of
  the entry: ``("out",)`` the output's data pointer, ``("in", j)`` input ``j``'s data
  pointer at its first element of the iteration (inputs with ``fill`` or ``source`` take
  none), ``("buf", b)`` scratch buffer ``b`` (a pointer to its first element; there is
  always at least one), or a number, passed as the C type ``params`` gives it: the
  geometry's ``long long`` (``numpy.int64``), a generated input's parameters
  (:func:`lazynp.codegen_gpu.random.params`: ``unsigned long long`` snapshot words and
  ``g{j}_at``, ``double`` bounds of ``uniform``; the values of this run's request, so pass
  ``kernel`` for a kernel other than the one rendered).

Every entry is a grid-stride loop over its work items: any grid and block size (1-d) give
the same bits (the runtime picks them, e.g. ``block = 256``, ``grid = min(ceil(items /
256), cap)``).  No shared memory, no atomics: each work item computes a fixed part of the
data in a fixed order, so results depend on the data and the shape only.  A runtime
compiles ``source`` once per kernel key (no fast-math, ``-fmad=false``; it includes no
header), allocates the buffers, and launches each :class:`Launch` in order, e.g. with CuPy::

    mod = cupy.RawModule(code=code.source, options=("-fmad=false", "--std=c++17"))
    bufs = [cupy.empty(n, dtype) for n, dtype in buffers]
    for la in launches:
        args = [numpy.int64(a) if isinstance(a, int) else out if a[0] == "out"
                else ins[a[1]] if a[0] == "in" else bufs[a[1]] for a in la.args]
        mod.get_function(la.entry)((grid(la.items),), (256,), tuple(args))

An empty output (no kept element) needs no launch.

The order (what NumPy does on C-contiguous data, so its digits are reproduced):

* float ``sum`` / ``mean`` (the spec's ``pairwise`` rows, float acc): the reduced axes
  split into a *run* (the longest trailing run of reduced axes, axes of one element left
  out, which NumPy's iterator coalesces into one inner loop) and *outer* reduced axes (the
  split depends on the shape: a launch argument, ``RS``, so the source depends on the
  kernel's structure only).  Each output is ``initial`` (or
  0) plus, for each outer index in C order, NumPy's ``pairwise_sum`` of its run
  (``fusion.plan.pairwise_tree``: blocks of 128 summed with eight accumulators, split at
  ``n // 2 - (n // 2) % 8``).  A full sum is one run; an ``axis=0`` sum has runs of one
  element (a sequential sum, NumPy's order there).  A run longer than ``leaf`` (1024 by
  default) is cut at depth ``T`` of the pairwise tree: ``{name}_part`` computes the
  ``2**T`` subtrees (one thread each, the tree's recursion unrolled ``UNROLL`` levels),
  ``{name}_comb`` adds them as the perfect binary tree the top ``T`` levels are (up to 64
  values per thread and pass), ``{name}_fin`` the runs of each output in order.  ``T``
  does not change the bits (the tree is the same).  A sum of values cast to the
  accumulator (an integer mean, ``sum(dtype=float32)`` of float64) over trailing axes
  goes as NumPy's buffered loop does: runs of ``NUMPY_BUFSIZE`` elements at a time,
  pairwise, added in order (``{name}_part`` one buffer per thread, ``{name}_fin`` adds
  them).
* everything else (integer and bool sums and products, which wrap, ``min`` / ``max``,
  ``any`` / ``all``, float ``prod``): each output folds its reduced elements in C order
  (NumPy's order for ``prod``).  The ops whose result does not depend on the order (all
  but float ``prod``) cut that sequence into chunks of ``chunk`` elements
  (``{name}_part``, from the identity), combined in order by ``{name}_comb`` (64 per thread
  and pass) and ``{name}_fin``: runs of ``chunk`` elements for float ``min`` / ``max``,
  which keep the first NaN and, on ties, the later value (NumPy's scalar rule, so a
  ``-0.0`` / ``0.0`` tie gives the last zero whatever the chunks), and for integer and bool
  accumulators chunk ``c`` of ``P`` takes elements ``c, c + P, ...`` (coalesced loads).

Generated (random) inputs (a plan input with ``source``: a lazy PCG64 / PCG64DXSM request,
:mod:`lazynp.codegen_gpu.random`) are drawn where they are read, never stored: their
offset in the iteration (C order, as the plan lays them out) is the element of the request,
so an element's draw is the element's index whatever thread computes it.  Every work item
reads its elements in increasing order (a pairwise subtree left half first, a run, the runs
of an output one after another), so it sets its generators up afresh
(``random.run_setup``: draw 0 of the snapshot), jumps once to its first element and then
steps by one draw, or, where a fold along a non-trailing axis reads evenly spaced elements,
by that stride's precomputed map; the order-free integer folds use runs of ``chunk``
elements instead of interleaved chunks there.  The bits are those of NumPy's stream for any launch
configuration and partition.

``{name}_fin`` also applies ``initial`` (as the starting value, as NumPy does), the mean's
division (in double, as ``np.true_divide(acc, np.intp(count))``) and the cast to the
result dtype.  Element values are the kernel body (the elementwise renderer's op table)
at the element's strided offset, cast to the accumulator dtype.

Numbers are rendered as in ``render.py`` (round-to-nearest intrinsics, no FMA).  Not
rendered (``Unsupported``): argmin/argmax/var/std (not fused reductions), float16 and
complex dtypes, draws ``random.py`` does not generate, several outputs, ``initial`` of another dtype, and a
mean with an integer accumulator.  Floating-point flags are not reported (the runtime must
decide what to do under an ``errstate`` that asks for them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..fusion.plan import Kernel, Unsupported
from ..graph.ops import Op
from ..graph.reductions import REDUCTIONS, identity
from . import random as G
from . import render as R
from .cuda_helpers import prelude
from .cuda_ops import render_op

__all__ = ["Launch", "ReduceCode", "UNROLL", "render_reduction", "tree_depth"]

UNROLL = 7          # pairwise levels a thread's subtree unrolls: subtrees up to CAP elements
LEAF = 1024         # default largest subtree per thread (a run longer is cut at depth T)
CHUNK = 4096        # default elements per chunk of the order-free reductions
NUMPY_BUFSIZE = 8192  # NumPy's ufunc buffer (np.getbufsize()): a cast sum goes buffer by buffer
GROUP_LOG = 6       # values per thread and combine pass: 2**GROUP_LOG
_PW_BLOCK = 128     # NumPy's PW_BLOCKSIZE
# the pairwise levels and folds stay functions: inlined, each level doubles the code (nvcc
# takes minutes on the test corpus)
_NOINLINE = "__device__ __attribute__((noinline))"


def _cap(levels: int) -> int:
    """Largest run whose pairwise tree is ``levels`` splits deep (each child is at most
    ``(n + 15) // 2``)."""
    c = _PW_BLOCK
    for _ in range(levels):
        c = 2 * c - 15
    return c


CAP = _cap(UNROLL)


def _half(n: int) -> int:
    h = n // 2
    return h - h % 8


def tree_depth(n: int, leaf: int = LEAF) -> int:
    """Depth ``T`` at which every node of ``pairwise_tree(0, n)`` has at most ``leaf``
    elements while every node above it is split (so the ``2**T`` nodes are in order)."""
    if not 2 * (_PW_BLOCK + 16) <= leaf <= CAP:
        raise ValueError(f"leaf {leaf} outside [{2 * (_PW_BLOCK + 16)}, {CAP}]")
    sizes, t = {n}, 0
    while max(sizes) > leaf:
        assert min(sizes) > _PW_BLOCK
        sizes = {c for s in sizes for c in (_half(s), s - _half(s))}
        t += 1
    return t


@dataclass(frozen=True)
class Launch:
    entry: str
    items: int
    args: tuple


@dataclass
class ReduceCode:
    kernel: Kernel
    source: str
    params: dict[str, list[tuple[str, str]]]
    pairwise: bool                  # float sum/mean in NumPy's pairwise order
    cast: bool                      # the body's values are cast to the accumulator
    ordered: bool                   # the fold may not be cut into chunks (float prod)
    acc: np.dtype
    kept: list[int] = field(default_factory=list)
    reduced: list[int] = field(default_factory=list)

    def split(self, shape: tuple[int, ...]) -> int:
        """How many of the reduced axes are *outer* (the rest are the run): for a pairwise
        sum, the run is the longest trailing run of reduced axes once the axes of one
        element are left out, as NumPy's iterator drops and coalesces them."""
        if not self.pairwise:
            return 0
        rs = len(self.reduced)
        for d in range(len(shape) - 1, -1, -1):
            if d in self.reduced:
                rs = self.reduced.index(d)
            elif shape[d] != 1:
                break
        return rs

    def launches(self, arrays: list, out: np.ndarray, leaf: int | None = None,
                 chunk: int | None = None, kernel: Kernel | None = None
                 ) -> tuple[list[tuple[int, np.dtype]], list[Launch]]:
        """Scratch buffers and launches for these arrays (see the module docstring);
        ``leaf`` / ``chunk`` change the partition (not the bits); ``kernel``: the kernel
        being run when it is not the one rendered (any kernel with the same ``key``)."""
        k = kernel or self.kernel
        shape = k.shape
        rs = self.split(shape)
        m = math.prod(shape[d] for d in self.kept)
        q = math.prod(shape[d] for d in self.reduced[:rs])
        L = math.prod(shape[d] for d in self.reduced[rs:])
        geo = _geometry(k, arrays, out, self.kept)
        geo.update(M=m, Q=q, L=L, R=q * L, RS=rs)
        for j, inp in enumerate(k.inputs):  # (this run's request: snapshot, parameters)
            if inp.source is not None:
                geo.update(G.launch_values(j, inp.source, inp.dtype))
        if m == 0:
            return [], []
        bufs: list[tuple[int, np.dtype]] = []
        steps: list[tuple[str, int, dict]] = []
        if self.pairwise and self.cast and rs == 0 and L > NUMPY_BUFSIZE:
            nb = -(-L // NUMPY_BUFSIZE)  # one thread per buffer, added in order by _fin
            geo.update(Q=nb, R=L)
            bufs = [(m * nb, self.acc)]
            steps.append(("part", m * nb, dict(P=1, T=0, C=L, B=NUMPY_BUFSIZE, dst=0)))
            steps.append(("fin", m, dict(P=1, C=L, from_part=1, src=0)))
        elif self.pairwise:
            t = tree_depth(L, leaf or LEAF)
            if t == 0:
                steps.append(("fin", m, dict(P=1, C=L, from_part=0)))
            else:
                w = m * q << t
                bufs = [(w, self.acc), (w >> min(t, GROUP_LOG), self.acc)]
                steps.append(("part", w, dict(P=1 << t, T=t, C=L, dst=0)))
                src, level = 0, t
                while level:
                    g = min(level, GROUP_LOG)
                    steps.append(("comb", w >> g, dict(S=1 << level, G=1 << g,
                                                      gps=1 << (level - g), nout=w >> g,
                                                      src=src, dst=1 - src)))
                    w >>= g
                    level -= g
                    src = 1 - src
                steps.append(("fin", m, dict(P=1, C=L, from_part=1, src=src)))
        else:
            c = L if self.ordered else max(1, chunk or CHUNK)
            nc = -(-L // c) if L else 1
            if nc == 1:
                steps.append(("fin", m, dict(P=1, C=max(L, 1), from_part=0)))
            else:
                g = 1 << GROUP_LOG
                bufs = [(m * nc, self.acc), (m * -(-nc // g), self.acc)]
                steps.append(("part", m * nc, dict(P=nc, T=0, C=c, dst=0)))
                cnt, src = nc, 0
                while cnt > g:
                    gps = -(-cnt // g)
                    steps.append(("comb", m * gps, dict(S=cnt, G=g, gps=gps, nout=m * gps,
                                                       src=src, dst=1 - src)))
                    cnt, src = gps, 1 - src
                steps.append(("fin", m, dict(P=cnt, C=c, from_part=1, src=src)))
        if not bufs:  # (a one-element buffer stands for the partials ``_fin`` does not read)
            bufs = [(1, self.acc)]
        out_launches = []
        for kind, items, extra in steps:
            entry = f"{_entry(self.kernel)}_{kind}"
            vals = {**geo, **extra}
            args = []
            for _t, name in self.params[entry]:
                if name == "out":
                    args.append(("out",))
                elif name.startswith("in") and name[2:].isdigit():
                    args.append(("in", int(name[2:])))
                elif name == "src":
                    args.append(("buf", vals.get("src", 0)))
                elif name == "dst":
                    args.append(("buf", vals["dst"]))
                else:
                    v = vals.get(name, 0)
                    args.append(v if type(v) is float else int(v))
            out_launches.append(Launch(entry, items, tuple(args)))
        return bufs, out_launches


def _geometry(k: Kernel, arrays: list, out: np.ndarray, kept: list[int]) -> dict[str, int]:
    vals: dict[str, int] = {}
    for d, n in enumerate(k.shape):
        vals[f"d{d}"] = n
    for j, (inp, a) in enumerate(zip(k.inputs, arrays)):
        if inp.fill is not None:
            continue
        if inp.source is not None:  # C order over the iteration: the offset is the element
            st = tuple(inp.strides)
        else:
            st = tuple(s // a.itemsize for s in a.strides) if a.ndim else ()
        for d in range(len(k.shape)):
            vals[f"s{j}_{d}"] = st[d]
    ost = tuple(s // out.itemsize for s in out.strides)
    nd = len(k.shape)
    for i, d in enumerate(kept):
        if out.ndim == nd:
            vals[f"os{d}"] = ost[d]
        elif out.ndim == len(kept):
            vals[f"os{d}"] = ost[i]
        else:
            vals[f"os{d}"] = 0
    return vals


def _entry(k: Kernel) -> str:
    return R.entry_name(k)


def _check_dtype(dt: Any) -> None:
    dt = np.dtype(dt)
    if dt.kind == "c" or dt == np.float16:
        raise Unsupported(f"dtype {dt} in a GPU reduction")
    R.ctype(dt)


def _check(k: Kernel) -> None:
    red = k.reduction
    spec = REDUCTIONS.get(red.op)
    if spec is None or not spec.fused:
        raise Unsupported(f"reduction {red.op.value} on the GPU renderer")
    R.check_body(k, _check_dtype)
    for dt in (red.acc_dtype, red.dtype, k.outputs[0].dtype):
        _check_dtype(dt)
    if red.op is Op.MEAN and np.dtype(red.acc_dtype).kind != "f":
        raise Unsupported("mean with an integer accumulator")


def _body(k: Kernel, offs: dict[int, str]) -> tuple[list[str], str, np.dtype]:
    """Lines computing the body at input offsets ``offs``; (lines, result, its dtype).  A
    generated input's offset is its element of the request (C order over the iteration)."""
    def gen(j: int) -> str:
        inp = k.inputs[j]
        return G.element(j, inp.source, inp.dtype, offs[j], prefix="A.")

    return R.element_lines(k, lambda j: f"A.in{j}[{offs[j]}]", gen)


def _combine(red: Any, a: str, b: str) -> str:
    """``a`` combined with ``b`` by the reduction's combine op (NumPy's scalar rules)."""
    dt = np.dtype(red.acc_dtype)
    op = REDUCTIONS[red.op].combine
    return render_op(op, dt, [a, b], [dt, dt])


def _unravel(var: str, axes: list[int], targets: list[tuple[str, str]], dims: str = "d",
             when: Any = None) -> list[str]:
    """Lines adding ``index * stride`` of ``var`` (a C-order index over ``axes``, sizes
    ``{dims}{axis}``) to each ``(target, stride prefix)``; ``var`` is consumed.  ``when``:
    ``(cond(i), outermost(i))``, C conditions under which ``axes[i]`` takes part (the
    others are left out) and is the outermost that does (no division there)."""
    lines = []
    if when is not None:
        cond, outermost = when
        for i in range(len(axes) - 1, -1, -1):
            d = axes[i]
            adds = " ".join(f"{t} += c * {p}{d};" for t, p in targets)
            lines.append(f"if ({cond(i)}) {{ long long c = {var}; if (!({outermost(i)})) {{ "
                         f"c = {var} % {dims}{d}; {var} /= {dims}{d}; }} {adds} }}")
        return lines
    for i, d in enumerate(reversed(axes)):
        adds = " ".join(f"{t} += c * {p}{d};" for t, p in targets)
        if i == len(axes) - 1:
            lines.append(f"{{ const long long c = {var}; {adds} }}")
        else:
            lines.append(f"{{ const long long c = {var} % {dims}{d}; {var} /= {dims}{d}; "
                         f"{adds} }}")
    return lines


def render_reduction(k: Kernel) -> ReduceCode:
    """CUDA C and launch planner of kernel ``k`` (which has a reduction)."""
    _check(k)
    red = k.reduction
    spec = REDUCTIONS[red.op]
    acc = np.dtype(red.acc_dtype)
    at = R.ctype(acc)
    nd = len(k.shape)
    axes = set(red.axes)
    kept = [d for d in range(nd) if d not in axes]
    reduced = [d for d in range(nd) if d in axes]
    pairwise = spec.pairwise and acc.kind == "f"
    ordered = not pairwise and acc.kind == "f" and not spec.order_free
    cast = R.dtype_of(k, k.result) != acc
    init = identity(red.op, acc)
    if red.initial is not None:
        if np.result_type(acc, red.initial) != acc:
            raise Unsupported("initial of another dtype")
        init = red.initial
    ident_lit = R.literal(identity(red.op, acc), acc)
    init_lit = R.literal(init, acc)
    ins_ = [j for j, inp in enumerate(k.inputs) if inp.fill is None]  # (indexed inputs)
    mem_ = [j for j in ins_ if k.inputs[j].source is None]  # (read from memory)
    gen_ = [j for j in ins_ if k.inputs[j].source is not None]  # (generated)
    name = _entry(k)
    A = f"{name}_A"
    cA = A if gen_ else f"const {A}"  # (the generators in the view advance)

    # ---- the per-(output, outer index) view: pointers, base offsets, run geometry
    src = [f"// {k.name}: {red.op.value} over axes {tuple(red.axes)} of a {nd}-d iteration "
           f"({'pairwise' if pairwise else 'ordered' if ordered else 'chunked'}; "
           "lazynp.codegen_gpu.reduce)",
           f"struct {A} {{"]
    for j in ins_:
        inp = k.inputs[j]
        if inp.source is None:
            src.append(f"  const {R.mem_ctype(inp.dtype)}* in{j}; long long b{j};")
        else:
            src += [f"  long long b{j};"] + ["  " + x for x in G.run_fields(j, inp.source,
                                                                              inp.dtype)]
    src += [f"  long long d{d};" for d in reduced]
    src += [f"  long long s{j}_{d};" for j in ins_ for d in reduced]
    src += ["  long long rs;", "};"]
    geo = [("long long", f"d{d}") for d in range(nd)]
    geo += [("long long", f"s{j}_{d}") for j in ins_ for d in range(nd)]
    geo += [("long long", f"os{d}") for d in kept]
    geo += [("long long", n) for n in ("M", "Q", "L", "R", "RS")]
    for j in gen_:
        geo += G.params(j, k.inputs[j].source, k.inputs[j].dtype)
    geo_decl = ", ".join(f"{t} {n}" for t, n in geo)
    geo_names = ", ".join(n for _, n in geo)
    ptr_decl = "".join(f"const {R.mem_ctype(k.inputs[j].dtype)}* in{j}, " for j in mem_)
    ptr_names = "".join(f"in{j}, " for j in mem_)

    # setup: A for output o, outer index q; returns the output's offset
    setup = [f"__device__ __forceinline__ long long {name}_setup({A}& A, {ptr_decl}"
             f"{geo_decl}, long long o, long long q) {{", "  long long oo = 0;"]
    for j in mem_:
        setup.append(f"  A.in{j} = in{j}; A.b{j} = 0;")
    for j in gen_:
        gps = G.params(j, k.inputs[j].source, k.inputs[j].dtype)
        setup.append(f"  A.b{j} = 0; " + " ".join(f"A.{n} = {n};" for _t, n in gps))
    setup.append("  A.rs = RS;")
    for d in reduced:
        setup.append(f"  A.d{d} = d{d};")
        setup += [f"  A.s{j}_{d} = s{j}_{d};" for j in ins_]
    if kept:
        setup += ["  " + x for x in _unravel("o", kept, [("oo", "os")]
                                             + [(f"A.b{j}", f"s{j}_") for j in ins_])]
    if pairwise and reduced:  # the outer reduced axes: the first RS
        setup += ["  " + x for x in _unravel("q", reduced, [(f"A.b{j}", f"s{j}_")
                                                             for j in ins_],
                                             when=(lambda i: f"{i} < RS",
                                                   lambda i: f"{i} == 0"))]
    setup += ["  (void)o; (void)q; (void)M; (void)Q; (void)L; (void)R;", "  return oo;", "}"]
    src += setup

    # value at run index j
    offs = {j: f"o{j}" for j in ins_}
    val = [f"__device__ __forceinline__ {at} {name}_val({cA}& A, long long j) {{"]
    val += [f"  long long o{j} = A.b{j};" for j in ins_]
    if reduced:  # the run: the reduced axes from A.rs on
        val += ["  " + x for x in _unravel("j", reduced, [(f"o{j}", f"A.s{j}_") for j in ins_],
                                           "A.d", (lambda i: f"{i} >= A.rs",
                                                   lambda i: f"{i} == A.rs") if pairwise
                                           else None)]
    val.append("  (void)j;")
    lines, rv, rdt = _body(k, offs)
    val += ["  " + x for x in lines]
    val += [f"  return {R.cast(rv, rdt, acc)};", "}"]
    src += val

    add = _combine(red, "a", "b")
    src += [f"__device__ __forceinline__ {at} {name}_op({at} a, {at} b) {{ return {add}; }}"]
    op = f"{name}_op"
    if pairwise:
        src += _pairwise_fns(name, cA, at, op)
        leaf_fn = f"{name}_pw{UNROLL}"
    else:
        src += [f"{_NOINLINE} {at} {name}_seq({cA}& A, long long a, long long n, {at} acc) {{",
                f"  for (long long i = 0; i < n; ++i) acc = {op}(acc, {name}_val(A, a + i));",
                "  return acc;", "}"]

    grid = ["  const long long step = (long long)blockDim.x * (long long)gridDim.x;",
            "  for (long long w = (long long)blockIdx.x * blockDim.x + threadIdx.x; "
            "w < nitems; w += step) {"]
    params: dict[str, list[tuple[str, str]]] = {}

    # part: work item w = (o, q, c) -> dst[w]
    pp = [(f"const {R.mem_ctype(k.inputs[j].dtype)}*", f"in{j}") for j in mem_]
    pp += [(f"{at}*", "dst")] + geo + [("long long", n) for n in ("P", "T", "C", "B")]
    params[f"{name}_part"] = pp
    # (each work item reads its elements in increasing order: its generators start afresh;
    # a fold along a non-trailing axis reads them evenly spaced: that leap is precomputed)
    def gen_setup_for(entry: str) -> list[str]:
        out = []
        for j in gen_:
            if not reduced or (pairwise and entry == "part"):
                leap = "0"  # (runs of consecutive elements)
            elif pairwise:  # runs of one element: the innermost outer axis' stride
                pick = "0"
                for i in range(len(reduced) - 1, -1, -1):
                    pick = f"RS == {i + 1} ? s{j}_{reduced[i]} : {pick}"
                leap = f"L == 1 ? ({pick}) : 0"
            else:  # the fold's order: C order over the reduced axes
                leap = f"s{j}_{reduced[-1]}"
            out += ["    " + x for x in G.run_setup(j, k.inputs[j].source, k.inputs[j].dtype,
                                                    "A.", leap)]
        return out

    gen_setup = gen_setup_for("part")
    body = ["    const long long c = w % P, oq = w / P;", f"    {A} A;",
            f"    {name}_setup(A, {ptr_names}{geo_names}, oq / Q, oq % Q);", *gen_setup]
    if pairwise:
        body += ["    long long a = 0, n = L;",
                 "    if (B) { a = (oq % Q) * B; n = (L - a < B) ? L - a : B; }",
                 "    for (long long b = T - 1; b >= 0; --b) {",
                 "      long long h = n / 2; h -= h % 8;",
                 "      if ((c >> b) & 1) { a += h; n -= h; } else { n = h; }",
                 "    }",
                 f"    dst[w] = {leaf_fn}(A, a, n);"]
    elif acc.kind in "biu" and not gen_:
        # exact in any order: chunk c takes elements c, c + P, ... (neighbouring threads
        # read neighbouring elements; with generated inputs, runs: a generator steps by one)
        body += [f"    {at} acc = {ident_lit};",
                 f"    for (long long j = c; j < L; j += P) acc = {op}(acc, {name}_val(A, j));",
                 "    dst[w] = acc;"]
    else:  # float min/max: runs of C elements (a tie of zeros keeps the last one)
        # (and order-free folds reading generated inputs)
        body += ["    const long long a = c * C, n = (L - a < C) ? L - a : C;",
                 f"    dst[w] = {name}_seq(A, a, n, {ident_lit});"]
    src += _entry_fn(f"{name}_part", pp, ["const long long nitems = M * Q * P;"], grid, body)

    # comb: item w = (segment, group) -> dst[w]
    cp = [(f"const {at}*", "src"), (f"{at}*", "dst")] + [("long long", n) for n in
                                                         ("S", "G", "gps", "nout")]
    params[f"{name}_comb"] = cp
    body = ["    const long long seg = w / gps, g = w % gps;",
            "    const long long a = seg * S + g * G;",
            "    const long long n = (S - g * G < G) ? S - g * G : G;"]
    if pairwise:  # a perfect binary tree of G = 2**g values (binary counter)
        body += [f"    {at} st[{GROUP_LOG + 1}]; int top = 0;",
                 "    for (long long i = 0; i < n; ++i) {",
                 f"      {at} v = src[a + i];",
                 f"      for (long long b = i; b & 1; b >>= 1) {{ --top; v = {op}(st[top], v); }}",
                 "      st[top++] = v;", "    }", "    dst[w] = st[0];"]
    else:
        body += [f"    {at} acc = {ident_lit};",
                 f"    for (long long i = 0; i < n; ++i) acc = {op}(acc, src[a + i]);",
                 "    dst[w] = acc;"]
    src += _entry_fn(f"{name}_comb", cp, ["const long long nitems = nout;"], grid, body)

    # fin: item o -> out
    odt = np.dtype(k.outputs[0].dtype)
    fp = [(f"{R.mem_ctype(odt)}*", "out")]
    fp += [(f"const {R.mem_ctype(k.inputs[j].dtype)}*", f"in{j}") for j in mem_]
    fp += [(f"const {at}*", "src")] + geo + [("long long", n) for n in ("P", "C", "from_part")]
    params[f"{name}_fin"] = fp
    body = [f"    {at} acc = {init_lit};", f"    {A} A;",
            f"    const long long oo = {name}_setup(A, {ptr_names}{geo_names}, w, 0);",
            *gen_setup_for("fin"),
            "    for (long long q = 0; q < Q; ++q) {",
            "      if (!from_part) {",
            f"        if (q) {name}_setup(A, {ptr_names}{geo_names}, w, q);"]
    if pairwise:
        # (a run of one element, -0.0 + x, is x: an axis=0 sum adds it inline)
        body += [f"        acc = {op}(acc, L == 1 ? {name}_val(A, 0) : {leaf_fn}(A, 0, L));"]
    else:
        body += ["        for (long long c = 0; c < P; ++c) {",
                 "          const long long a = c * C, n = (L - a < C) ? L - a : C;",
                 f"          acc = {name}_seq(A, a, n, acc);", "        }"]
    body += ["        continue;", "      }",
             "      for (long long c = 0; c < P; ++c) "
             f"acc = {op}(acc, src[(w * Q + q) * P + c]);", "    }"]
    if red.op is Op.MEAN:
        body.append(f"    acc = ({at})__ddiv_rn((double)acc, (double)R);")
    body.append(f"    out[oo] = ({R.mem_ctype(odt)})({R.cast('acc', acc, odt)});")
    src += _entry_fn(f"{name}_fin", fp, ["const long long nitems = M;"], grid, body)
    text = "\n".join(src) + "\n"
    # (the device helpers the body calls, and the generators' device functions)
    text = (G.PREAMBLE if gen_ else "") + prelude(text) + text
    return ReduceCode(k, text, params, pairwise, cast, ordered, acc, kept, reduced)


def _entry_fn(entry: str, ps: list[tuple[str, str]], head: list[str], grid: list[str],
              body: list[str]) -> list[str]:
    decl = ", ".join(f"{t} {n}" for t, n in ps)
    return ([f'extern "C" __global__ void {entry}({decl}) {{'] + ["  " + h for h in head]
            + grid + body + ["  }", "}"])


def _pairwise_fns(name: str, A: str, at: str, op: str) -> list[str]:
    # (``A``: the view's type as the functions take it, ``const`` without generators)
    """``{name}_pw0``: NumPy's pairwise_sum of ``n <= 128`` values (below 8 in order from
    -0.0, else eight accumulators, then the rest in order); ``{name}_pw{k}``: ``k`` levels
    of its recursion (``n <= CAP`` for ``k = UNROLL``)."""
    v = f"{name}_val"
    acc8 = "\n".join(f"    r{i} = {op}(r{i}, {v}(A, a + i + {i}));" for i in range(8))
    init8 = " ".join(f"{at} r{i} = {v}(A, a + {i});" for i in range(8))
    out = [f"{_NOINLINE} {at} {name}_pw0({A}& A, long long a, long long n) {{",
           "  if (n < 8) {",
           f"    {at} res = -({at})0;",
           f"    for (long long i = 0; i < n; ++i) res = {op}(res, {v}(A, a + i));",
           "    return res;", "  }",
           f"  {init8}",
           "  long long i = 8;",
           "  for (; i < n - n % 8; i += 8) {", acc8, "  }",
           f"  {at} res = {op}({op}({op}(r0, r1), {op}(r2, r3)), {op}({op}(r4, r5), "
           f"{op}(r6, r7)));",
           f"  for (; i < n; ++i) res = {op}(res, {v}(A, a + i));",
           "  return res;", "}"]
    for lev in range(1, UNROLL + 1):
        sub = f"{name}_pw{lev - 1}"
        out += [f"{_NOINLINE} {at} {name}_pw{lev}({A}& A, long long a, long long n) {{",
                f"  if (n <= {_PW_BLOCK}) return {name}_pw0(A, a, n);",
                "  long long h = n / 2; h -= h % 8;",
                # (the left half first: generated inputs are drawn in increasing order)
                f"  const {at} left = {sub}(A, a, h);",
                f"  return {op}(left, {sub}(A, a + h, n - h));", "}"]
    return out

