"""The sample data that ships inside the package (``embedlab.sample_data``).

The folder ``sample_data/`` at the top of the repository is installed as package data, so the
dashboard's sample log is found the same way in an editable checkout and in an installed wheel,
whatever the working folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ParameterError

SAMPLE_FILES = ("interactions.csv", "items.csv", "baskets.csv")


def sample_file(name: str) -> Path:
    """The path of one shipped sample file.

    Parameters
    ----------
    name : {"interactions.csv", "items.csv", "baskets.csv"}
        ``interactions.csv`` and ``items.csv`` are the synthetic log and its item metadata;
        ``baskets.csv`` holds 1,500 real baskets (see the folder's README for their licence).

    Returns
    -------
    Path
        A regular file inside the installed package (or the checkout, when installed editable).

    Raises
    ------
    ParameterError
        ``name`` is not one of the shipped files.

    Examples
    --------
    >>> sample_file("items.csv").read_text().splitlines()[0]
    'item_id,title,genre,genres,series'
    """
    if name not in SAMPLE_FILES:
        raise ParameterError(
            f"no sample file named {name!r}", hint="choose one of " + ", ".join(SAMPLE_FILES)
        )
    return Path(str(resources.files("embedlab.sample_data").joinpath(name)))
