"""The GPU backend, being built: ``render.py`` turns elementwise Kernel plans into CUDA C
(checked without a GPU by ``tests/codegen_gpu/``); the CuPy runtime and its line in
``lazynp/_backends.py`` are still to come."""
