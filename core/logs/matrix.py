"""Interactions as a sparse users × items matrix (shared by trainers and evaluation)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .clean import Interactions


def user_item_matrix(inter: Interactions, binary: bool = False) -> sp.csr_matrix:
    """Users × items, summing repeated events (or their weights).

    Parameters
    ----------
    inter : Interactions
    binary : bool, default False
        Count every event as 1 even when the log has weights.

    Returns
    -------
    scipy.sparse.csr_matrix
        float32, shape ``(inter.n_users, inter.n_items)``.

    Examples
    --------
    >>> from embedlab.core.logs import prepare
    >>> user_item_matrix(prepare("sample_data/interactions.csv"), binary=True).shape
    (3000, 1000)
    """
    data = np.ones(len(inter), dtype=np.float32) if binary or inter.weight is None else inter.weight
    m = sp.csr_matrix(
        (data, (inter.user, inter.item)), shape=(inter.n_users, inter.n_items), dtype=np.float32
    )
    m.sum_duplicates()
    return m
