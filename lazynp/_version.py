"""lazynp's version: the one place it is written (``pyproject.toml`` reads it from here,
``lazynp.__version__`` and the compiled-kernel cache key of ``codegen_cpu/compiler.py`` import
it).  A module of its own, so that reading the version imports nothing else."""

__version__ = "0.1.0"
