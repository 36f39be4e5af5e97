"""The Triton target: gpu_block kernels printed as `@triton.jit` source (emit.py)."""
