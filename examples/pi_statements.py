"""Monte-Carlo estimate of pi written as separate statements.

Same computation as ``pi.py``, but every intermediate has a name.  NumPy materialises each
one; lazynp records them and still fuses the chain into one pass when ``pi`` is printed.

    python -m lazynp run --compare examples/pi_statements.py [N]
"""

import sys

import numpy as np

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10**7

rng = np.random.default_rng(0)
x = rng.random(N)
y = rng.random(N)
s = (x - 1) ** 2
t = (y - 1) ** 2
d = s + t
inside = d < 1
count = inside.sum()
pi = count * (4 / len(x))
print(pi)
