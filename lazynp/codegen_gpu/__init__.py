"""The GPU backend (planned: Kernel plans rendered to CUDA C, compiled and launched through
CuPy, registered in ``lazynp/_backends.py``); empty today."""
