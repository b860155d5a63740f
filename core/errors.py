"""One family of user-facing errors.

Every mistake a user can make (a damaged file, an unknown word, a log that cannot train) raises a
subclass of :class:`EmbedlabError`.  They subclass :class:`ValueError` so plain Python callers can
catch them as such; the CLI prints them as one line and exits 2, the dashboard shows them with
``st.error``.  Anything else escaping is a bug, not a user mistake.
"""

from __future__ import annotations


class EmbedlabError(ValueError):
    """A user mistake: says what went wrong, where, and what to do about it.

    ``hint`` says what to do in words every face can show; ``options`` names the reading options
    (``core.logs.options`` field names, e.g. ``"separator"``, ``"user_col"``) that change it, so
    each face points at its own control: the CLI at its flag, the Data page at its box.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | int | None = None,
        hint: str | None = None,
        options: tuple[str, ...] = (),
    ):
        self.message = message
        self.options = tuple(options)
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.__str__())

    def where(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" — {self.hint}"
        return text


class FormatError(EmbedlabError):
    """A file that cannot be read as the format it claims or was detected as."""


class UnsafeFileError(EmbedlabError):
    """A file we refuse to open because opening it could run code (pickles)."""


class UnknownKeyError(EmbedlabError):
    """A key that is not in the vocabulary; carries close suggestions."""

    def __init__(self, key: str, suggestions: list[str] | None = None, **kw):
        self.key = key
        self.suggestions = list(suggestions or [])
        hint = (
            ("did you mean: " + ", ".join(self.suggestions))
            if self.suggestions
            else "check the spelling, or load vectors that contain it"
        )
        super().__init__(f"'{key}' is not in the vocabulary", hint=kw.pop("hint", hint), **kw)


class ExpressionError(EmbedlabError):
    """An arithmetic expression that does not parse."""


class DataError(EmbedlabError):
    """An interaction log that cannot be used as asked (too few items, no usable rows...)."""


class ParameterError(EmbedlabError):
    """A parameter outside what the operation supports; quotes the value and the limit."""


class OutputError(EmbedlabError):
    """An output that cannot be written as asked: it exists (and --force was not given), it is a
    folder, it is one of the inputs, or the place is not writable."""


class UnknownTrainerError(ParameterError):
    """A training method no trainer is registered under (``core.train.registry``)."""
