"""CLI sub-commands, one module per area; each module exposes ``register(sub, vec, js)``."""

from . import logs, quality, vectors

REGISTRY = [vectors.register, quality.register, logs.register]
