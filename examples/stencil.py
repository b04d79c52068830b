"""2-D Jacobi relaxation with slice assignment: a plain NumPy script.

    python examples/stencil.py [SIZE] [STEPS]
    python -m lazynp run --compare examples/stencil.py 2000 100

The top edge is held at 1, the other edges at 0; every step replaces each interior point by
the mean of its four neighbours.  The right-hand side reads ``u`` and the assignment writes
into ``u``, so a lazy implementation has to read the old values before writing.
"""

import sys

import numpy as np


def jacobi(size: int, steps: int) -> np.ndarray:
    u = np.zeros((size, size))
    u[0, :] = 1.0
    for _ in range(steps):
        u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
    return u


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    u = jacobi(size, steps)
    print(f"size={size} steps={steps}")
    print(f"mean = {u.mean():.9f}")
    print(f"u[8, size // 2] = {u[8, size // 2]:.9e}")
    print(f"sum of row 1 = {u[1].sum():.6f}")


if __name__ == "__main__":
    main()
