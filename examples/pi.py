"""Monte-Carlo estimate of pi: a plain NumPy script.

    python examples/pi.py [N]                      # NumPy
    python -m lazynp run examples/pi.py [N]        # the same file on lazynp
    python -m lazynp run --compare examples/pi.py  # both, timed

Under lazynp the whole expression below (two random draws, the arithmetic, the comparison
and the sum) is recorded as one graph and forced by ``print``.
"""

import sys

import numpy as np

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10**7

rng = np.random.default_rng(0)
x = rng.random(N)
y = rng.random(N)
pi = ((x - 1) ** 2 + (y - 1) ** 2 < 1).sum() * (4 / len(x))
print(pi)
