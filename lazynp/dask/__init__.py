"""lazynp and Dask (the ``dask`` extra): lazynp arrays as Dask chunks, lazynp graphs run as
Dask graphs.

* ``from_array(x, chunks)``, ``force_blocks``, ``kernels_per_block``: a ``dask.array`` whose
  chunks are lazynp arrays, each task's chain fused into one kernel per chunk (``chunks.py``).
* ``to_dask(x, chunks=None)``: a pending lazynp graph as a ``dask.array.Array`` with one task
  per chunk, each running the chunk's sub-expression as one fused lazynp kernel; reductions
  as Dask tree reductions combined in a fixed order; random draws split across chunks are
  NumPy's serial stream, bit for bit (``graph.py``).
* ``explain(x, chunks=None)``: stages, chunks x kernels per chunk, the tasks.
* ``config.scheduler = "dask"`` (``LAZYNP_SCHEDULER=dask``) makes ``force`` run large graphs
  this way on the current Dask scheduler and hand back lazynp arrays.

Importing ``lazynp`` never imports this package or Dask; ``lazynp.to_dask`` does, on call.
See docs/scale.md.
"""

from __future__ import annotations

from .chunks import force_blocks, from_array, kernels_per_block
from .graph import STATS, explain, to_dask

__all__ = ["STATS", "explain", "force_blocks", "from_array", "kernels_per_block", "to_dask"]
