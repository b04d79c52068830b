"""CPU code generator: fused kernels compiled with llvmlite and run on threads.

``render.py`` turns a ``fusion.plan.Kernel`` into LLVM IR (the kernel ABI is documented
there; the op table, bodies and loops are in the modules it lists), ``compiler.py``
compiles IR text for the host with memory and disk caches (shared with ``lazynp.random``),
``runtime.py`` compiles once per structural key and runs kernels on ``config.num_threads``
threads.  Selected with ``config.backend = "llvm"``
(``LAZYNP_BACKEND``); kernels it does not handle run on the reference executor.

Nothing here is imported at ``import lazynp``.
"""
