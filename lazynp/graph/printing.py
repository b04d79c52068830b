"""Text and DOT renderings of a pending DAG (what ``lazynp.explain`` shows before fusion)."""

from __future__ import annotations

import numpy as np

from .node import Node, param_text, pending_subgraph
from .ops import Op
from .semantics import ARG


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _leaf_text(node: Node) -> str:
    v = node.value
    kind = "view" if v.base is not None else "buffer"
    layout = "C-contiguous" if v.flags.c_contiguous else f"strides={v.strides}"
    origin = f", {node.origin}" if node.origin else ""
    return f"concrete {kind} {v.dtype} {_shape(v.shape)} {layout}{origin}"


def _params(node: Node) -> str:
    params = node.params
    if not params:
        return ""
    shown = {k: v for k, v in params.items()
             if k not in ("args", "fn", "generate") and v not in (None, {})}
    if node.op is Op.OPAQUE:
        shown["fn"] = getattr(params.get("fn"), "__name__", "?")
    consts = [a for a in params.get("args", ()) if a is not ARG]
    if consts:
        shown["consts"] = tuple(consts)
    return param_text(shown)


def format_dag(root: Node) -> str:
    """One line per pending node, inputs first; leaves say what buffer they read."""
    if root.value is not None:
        return (f"%{root.id} is concrete: {root.dtype} {_shape(root.shape)} "
                "(nothing pending)")
    order = pending_subgraph(root)
    lines = [f"pending DAG of %{root.id}: {len(order)} node(s)"]
    leaves: dict[int, Node] = {}
    for n in order:
        for i in n.inputs:
            if i.value is not None:
                leaves.setdefault(i.id, i)
    for leaf in leaves.values():
        lines.append(f"  %{leaf.id} = {_leaf_text(leaf)}")
    for n in order:
        ins = ", ".join(f"%{i.id}" for i in n.inputs)
        lines.append(f"  %{n.id} = {n.op.value}({ins}){_params(n)} -> {n.dtype} "
                     f"{_shape(n.shape)}")
    return "\n".join(lines)


def format_dot(root: Node) -> str:
    """Graphviz DOT of the same DAG."""
    order = pending_subgraph(root)
    out = ["digraph lazynp {", "  rankdir=BT;", "  node [shape=box, fontname=monospace];"]
    seen: set[int] = set()
    for n in order:
        for i in n.inputs:
            if i.value is not None and i.id not in seen:
                seen.add(i.id)
                label = f"%{i.id} {_leaf_text(i)}".replace('"', "'")
                out.append(f'  n{i.id} [label="{label}", style=dashed];')
            out.append(f"  n{i.id} -> n{n.id};")
        label = f"%{n.id} {n.op.value} {np.dtype(n.dtype)} {_shape(n.shape)}"
        out.append(f'  n{n.id} [label="{label}"];')
    out.append("}")
    return "\n".join(out)
