"""Fusion: the pending sub-DAG of a forced node -> an ordered list of kernel plans.

``make_plan(root, recompute_limit, max_cost)`` partitions (``partition.py``) with the cost
model (``cost.py``) into the backend-neutral Kernel IR (``plan.py``); ``execute(plan,
realize, block_size)`` runs it with the reference executor (``reference.py``);
``explain.format_plan`` / ``format_plan_dot`` render it (``lazynp.explain``).

Imports only ``graph/`` (docs/design.md: imports point down the data flow); settings are passed in
by the engine.
"""

from __future__ import annotations

from .partition import make_plan
from .plan import Kernel, KernelInput, KernelOutput, NodeStep, Plan, Reduction, RunSettings
from .reference import execute, run_kernel_reported, run_step

__all__ = ["make_plan", "execute", "run_kernel_reported", "run_step", "Plan", "Kernel", "KernelInput", "KernelOutput",
           "NodeStep", "Reduction", "RunSettings"]
