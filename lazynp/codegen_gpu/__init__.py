"""The GPU backend, being built: ``render.py`` turns elementwise Kernel plans into CUDA C
(the op table in ``cuda_ops.py``, device helpers in ``cuda_helpers.py``; checked without a GPU
by ``tests/codegen_gpu/``); the CuPy runtime and its line in ``lazynp/_backends.py`` are
still to come."""
