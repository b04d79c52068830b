from .chunks import force_blocks, from_array, kernels_per_block  # noqa: F401
