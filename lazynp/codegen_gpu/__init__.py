"""The GPU backend: ``render.py`` turns elementwise Kernel plans into CUDA C (the op table in
``cuda_ops.py``, device helpers in ``cuda_helpers.py``, generated random inputs in
``random.py``), ``reduce.py`` kernels with a reduction, and ``runtime.py`` compiles them with
CuPy (NVRTC) and launches them (registered as ``cuda`` in ``lazynp/_backends.py``; where
kernels run is ``lazynp/_placement.py``'s decision).  Checked without a GPU by
``tests/codegen_gpu/`` and on a device by ``tests/gpu/``."""
