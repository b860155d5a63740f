"""How good are these vectors: analogies, word-pair similarity, space diagnostics, next-item."""
