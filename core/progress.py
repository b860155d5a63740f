"""How long work says where it is: ``progress(fraction, message)``, fraction in [0, 1].

Trainers, engines, layouts, sweeps and jobs all take one; the CLI draws it as a bar on stderr,
the dashboard as ``st.progress``, a :class:`core.jobs.Job` keeps it for any page to show."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]
"""``progress(fraction, message)``: how long work reports where it is (fraction in [0, 1])."""


def no_progress(fraction: float, message: str) -> None:  # noqa: ARG001 - the default callback
    """The callback of work nobody watches: it does nothing."""
    return None
