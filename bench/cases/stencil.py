"""2-D Jacobi relaxation time loop with slice assignment (``examples/stencil.py``).

Each step reads ``u`` through four shifted views and writes its interior in place, so a
lazy implementation must read the old values before the write lands.
"""

from __future__ import annotations

from . import Case, Inputs

FULL = (1000, 100)    # (size, steps)
QUICK = (200, 20)


def grid(quick: bool) -> Inputs:
    size, steps = QUICK if quick else FULL
    return {"size": size, "steps": steps}


def jacobi(xp, inp: Inputs):
    size = inp["size"]
    u = xp.zeros((size, size))
    u[0, :] = 1.0
    for _ in range(inp["steps"]):
        u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
    return u


CASES = [
    Case("jacobi_2d", "u[1:-1,1:-1] = 0.25*(4 neighbours), 1000^2 x 100 steps", grid, jacobi,
         rtol=1e-12, atol=1e-300),
]
