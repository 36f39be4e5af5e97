"""Passes that stay on one level of the stairs (decompose, fuse, tile, simplify-index ...).

Each pass lives in its own module and is registered by name in
`stepwell._builtin_registrations`, which imports it only when a pipeline names it.
"""
