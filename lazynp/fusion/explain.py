"""A plan as text (``lazynp.explain``, ``--explain``, ``LAZYNP_DEBUG=3``) and as Graphviz DOT.

The text reads like a compiler's fusion report: the expression tree (op, dtype, shape and
cost per element of each node, and the kernel that computes it), the concrete inputs, then
each step: kernels with name, members, inputs (layout, strides, offset), outputs, body, bytes
read and written and the reason for every cut; finally totals against NumPy's op-by-op
execution (passes over memory, bytes moved, temporary bytes avoided).
"""

from __future__ import annotations

import numpy as np

from ..graph.node import Node
from ..graph.ops import VIEW
from ..graph.printing import _leaf_text, _shape
from ..graph.semantics import ARG
from .plan import Kernel, Plan


def _bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


def _nbytes(node: Node) -> int:
    return node.size * node.dtype.itemsize


def _where(plan: Plan) -> dict[int, list[str]]:
    """node id -> the steps that compute it ("k1", "k2 out", "s3 view")."""
    where: dict[int, list[str]] = {}
    for i, step in enumerate(plan.steps, 1):
        if isinstance(step, Kernel):
            outs = {o.node.id for o in step.outputs}
            for n in step.members:
                where.setdefault(n.id, []).append(f"k{i}" + (" out" if n.id in outs else ""))
        else:
            where.setdefault(step.node.id, []).append(f"s{i} {step.kind}")
    return where


def numpy_totals(plan: Plan) -> dict[str, int]:
    """What NumPy's op-by-op execution of the same nodes costs: passes, bytes, temporaries."""
    passes = 0
    traffic = 0
    temps = 0
    for n in plan.nodes:
        if n.op in VIEW:
            continue
        passes += 1
        traffic += _nbytes(n) + sum(_nbytes(i) for i in n.inputs)
        if n is not plan.root:
            temps += _nbytes(n)
    return {"passes": passes, "bytes": traffic, "temporaries": temps}


def fused_totals(plan: Plan) -> dict[str, int]:
    passes = 0
    traffic = 0
    temps = 0
    for step in plan.steps:
        if isinstance(step, Kernel):
            passes += 1
            traffic += step.bytes_read + step.bytes_written
            for o in step.outputs:
                if o.node is not plan.root:
                    temps += _nbytes(o.node)
        elif step.kind != "view":
            n = step.node
            passes += 1
            traffic += _nbytes(n) + sum(_nbytes(i) for i in n.inputs)
            if n is not plan.root:
                temps += _nbytes(n)
    return {"passes": passes, "bytes": traffic, "temporaries": temps}


def _consts(node: Node) -> list:
    return [a for a in (node.params or {}).get("args", ()) if a is not ARG]


def _tree(plan: Plan) -> list[str]:
    where = _where(plan)
    lines: list[str] = []
    seen: set[int] = set()

    def walk(n: Node, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─ " if last else "├─ ")
        if n.value is not None and n is not plan.root:
            lines.append(f"{prefix}{branch}%{n.id} {_leaf_text(n)}")
            return
        tag = ", ".join(where.get(n.id, []))
        if n.id in seen:
            lines.append(f"{prefix}{branch}%{n.id} {n.op.value} (see above)")
            return
        seen.add(n.id)
        cost = plan.costs.get(n.id, 0.0)
        lines.append(f"{prefix}{branch}%{n.id} {n.op.value} {np.dtype(n.dtype)} "
                     f"{_shape(n.shape)} cost {cost:g}  [{tag}]")
        kids: list = list(n.inputs) if n.value is None else []
        consts = _consts(n) if n.value is None else []
        child_prefix = prefix + ("" if top else ("   " if last else "│  "))
        items = [("node", k) for k in kids] + [("const", c) for c in consts]
        for j, (kind, item) in enumerate(items):
            is_last = j == len(items) - 1
            if kind == "node":
                walk(item, child_prefix, is_last, False)
            else:
                lines.append(f"{child_prefix}{'└─ ' if is_last else '├─ '}{item!r}")

    walk(plan.root, "  ", True, True)
    return lines


def _kernel_lines(i: int, k: Kernel) -> list[str]:
    out = k.outputs[0]
    red = k.reduction
    head = f"  iteration {_shape(k.shape)} -> %{out.node.id} {out.dtype} {_shape(out.shape)}"
    if red is not None:
        head += (f", {red.op.value} over axes {red.axes}"
                 f"{' keepdims' if red.keepdims else ''} (combine {red.combine.value})")
    lines = [f"step {i}: kernel {k.name}", head,
             "  members   " + " ".join(f"%{n.id}" for n in k.members)]
    for j, inp in enumerate(k.inputs):
        label = "  inputs    " if j == 0 else "            "
        src = (f"fill {inp.fill[()]!r}" if inp.fill is not None else
               f"%{inp.node.id} (random draws, generated per block)" if inp.source is not None
               else f"%{inp.node.id}")
        views = "".join(f" .{v.op.value if hasattr(v, 'op') else 'broadcast'}"
                        for v in inp.views)
        lines.append(f"{label}in{j} = {src}{views} {inp.dtype} {inp.layout} "
                     f"strides {inp.strides} offset {inp.offset}")
    for o in k.outputs:
        where = "existing buffer" if o.existing is not None else "new buffer"
        order = "" if o.perm is None else f" memory order {o.perm}"
        lines.append(f"  outputs   %{o.node.id} {o.dtype} {_shape(o.shape)} {where}{order}")
    for j, ins in enumerate(k.body):
        label = "  body      " if j == 0 else "            "
        lines.append(label + ins.text(j))
    lines.append(f"  result    {k.result}")
    lines.append(f"  traffic   read {_bytes(k.bytes_read)}, written {_bytes(k.bytes_written)}; "
                 f"cost {k.cost:.4g}")
    for j, r in enumerate(k.reasons):
        lines.append(("  reasons   " if j == 0 else "            ") + r)
    lines.append(f"  key       {hash(k.key) & 0xFFFFFFFF:08x}")
    return lines


def format_plan(plan: Plan) -> str:
    root = plan.root
    nk = len(plan.kernels)
    lines = [f"fusion plan for %{root.id} {np.dtype(root.dtype)} {_shape(root.shape)}: "
             f"{len(plan.nodes)} pending node(s) -> {nk} kernel(s), "
             f"{len(plan.steps) - nk} other step(s)", "", "expression:"]
    lines += _tree(plan)
    lines.append("")
    for i, step in enumerate(plan.steps, 1):
        if isinstance(step, Kernel):
            lines += _kernel_lines(i, step)
        else:
            n = step.node
            ins = ", ".join(f"%{x.id}" for x in n.inputs)
            lines.append(f"step {i}: {step.kind} %{n.id} = {n.op.value}({ins}) "
                         f"-> {np.dtype(n.dtype)} {_shape(n.shape)}  ({step.reason})")
        lines.append("")
    ref = numpy_totals(plan)
    got = fused_totals(plan)
    lines.append(f"totals: {got['passes']} pass(es) over memory vs {ref['passes']} for NumPy "
                 f"op by op; bytes moved {_bytes(got['bytes'])} vs {_bytes(ref['bytes'])}; "
                 f"temporaries {_bytes(got['temporaries'])} vs {_bytes(ref['temporaries'])} "
                 f"({_bytes(max(ref['temporaries'] - got['temporaries'], 0))} avoided)")
    return "\n".join(lines)


def format_groups(plan: Plan) -> str:
    """The fusion groups and why they were cut (``LAZYNP_DEBUG=3``)."""
    lines = []
    for i, step in enumerate(plan.steps, 1):
        if isinstance(step, Kernel):
            members = " ".join(f"%{n.id}" for n in step.members)
            lines.append(f"lazynp:   group {i}: {step.name} [{members}]")
            lines += [f"lazynp:     {r}" for r in step.reasons]
        else:
            lines.append(f"lazynp:   step {i}: {step.kind} %{step.node.id} "
                         f"{step.node.op.value}: {step.reason}")
    return "\n".join(lines)


def kernel_timing(k: Kernel, seconds: float) -> str:
    moved = k.bytes_read + k.bytes_written
    rate = moved / seconds / 1e9 if seconds > 0 else float("inf")
    return f"lazynp:   {k.name}: {seconds * 1e3:.3f} ms, {rate:.2f} GB/s ({_bytes(moved)})"


def format_plan_dot(plan: Plan) -> str:
    """Graphviz DOT of the plan: kernels are clusters, concrete inputs dashed boxes."""
    out = ["digraph lazynp {", "  rankdir=BT;", "  node [shape=box, fontname=monospace];"]
    placed: set[int] = set()
    for i, step in enumerate(plan.steps, 1):
        if isinstance(step, Kernel):
            out.append(f"  subgraph cluster_{i} {{")
            out.append(f'    label="step {i}: {step.name}"; style=rounded;')
            for n in step.members:
                if n.id in placed:
                    continue  # recomputed in several kernels: drawn in the first
                placed.add(n.id)
                out.append(f'    n{n.id} [label="%{n.id} {n.op.value} {np.dtype(n.dtype)} '
                           f'{_shape(n.shape)}"];')
            out.append("  }")
        elif step.node.id not in placed:
            n = step.node
            placed.add(n.id)
            out.append(f'  n{n.id} [label="%{n.id} {n.op.value} ({step.kind})", '
                       "style=filled, fillcolor=lightgrey];")
    for n in plan.nodes:
        for i in n.inputs:
            if i.value is not None and i.id not in placed:
                placed.add(i.id)
                label = f"%{i.id} {_leaf_text(i)}".replace('"', "'")
                out.append(f'  n{i.id} [label="{label}", style=dashed];')
            out.append(f"  n{i.id} -> n{n.id};")
        if n.id not in placed:
            placed.add(n.id)
            out.append(f'  n{n.id} [label="%{n.id} {n.op.value}"];')
    out.append("}")
    return "\n".join(out)
