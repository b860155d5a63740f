"""A small parser for vector expressions (no eval): ``madrid - spain + france``.

Grammar (a linear combination, so parentheses distribute weights)::

    expr   := term (('+' | '-') term)*
    term   := ('+' | '-')* factor (('*' | '/') NUMBER)*
    factor := NUMBER '*' factor | KEY | QUOTED | '(' expr ')'

Keys are bare words or quoted strings (``"Toy Story (1995)"``).  A bare word may contain hyphens
(``x-ray``); ``known`` lets the parser split ``king-man`` into ``king - man`` when only the parts
are known keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ExpressionError

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<quoted>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>[-+*/()])
  | (?P<word>[^\s+*/()"'][^\s+*/()"']*)
""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"^\d+(\.\d*)?([eE][-+]?\d+)?$|^\.\d+([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Token:
    kind: str  # 'key', 'num', 'op', 'end'
    text: str
    pos: int


def tokenize(text: str, known: Callable[[str], bool] | None = None) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # an unterminated quote is the only thing that fails to match
            raise ExpressionError(
                f"unterminated quote starting at character {pos + 1}",
                hint='close the quote, e.g. "Toy Story (1995)"',
            )
        kind = m.lastgroup
        if kind == "quoted":
            body = m.group()[1:-1]
            tokens.append(Token("key", re.sub(r"\\(.)", r"\1", body), pos))
        elif kind == "op":
            tokens.append(Token("op", m.group(), pos))
        elif kind == "word":
            tokens.extend(_word_tokens(m.group(), pos, known))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _word_tokens(word: str, pos: int, known) -> list[Token]:
    if _NUMBER.match(word):
        return [Token("num", word, pos)]
    parts = word.split("-")
    if (
        known is None
        or "-" not in word.strip("-")
        or known(word)
        or not all(p and known(p) for p in parts)
    ):
        return [Token("key", word, pos)]
    out, offset = [], pos
    for i, part in enumerate(parts):
        if i:
            out.append(Token("op", "-", offset - 1))
        out.append(Token("key", part, offset))
        offset += len(part) + 1
    return out


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens, self.i = tokens, 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, what: str, tok: Token):
        found = "the end" if tok.kind == "end" else f"'{tok.text}'"
        raise ExpressionError(
            f"expected {what} at character {tok.pos + 1}, found {found}",
            hint="write e.g. madrid - spain + france, or 0.5*king + queen; put a key or title "
            'with spaces or signs in double quotes: "Toy Story (1995)" - "Aladdin (1992)"',
        )

    def expr(self) -> list[tuple[str, float]]:
        terms = self.term()
        while self.peek().kind == "op" and self.peek().text in "+-":
            sign = 1.0 if self.take().text == "+" else -1.0
            terms += [(k, sign * w) for k, w in self.term()]
        return terms

    def term(self) -> list[tuple[str, float]]:
        sign = 1.0
        while self.peek().kind == "op" and self.peek().text in "+-":
            sign *= 1.0 if self.take().text == "+" else -1.0
        terms = [(k, sign * w) for k, w in self.factor()]
        while self.peek().kind == "op" and self.peek().text in "*/":
            op = self.take().text
            num = self.take()
            if num.kind != "num":
                self.fail("a number after '" + op + "'", num)
            value = float(num.text)
            if op == "/" and value == 0:
                raise ExpressionError(f"division by zero at character {num.pos + 1}")
            scale = value if op == "*" else 1.0 / value
            terms = [(k, w * scale) for k, w in terms]
        return terms

    def factor(self) -> list[tuple[str, float]]:
        tok = self.take()
        if tok.kind == "num":
            if self.peek().kind == "op" and self.peek().text == "*":
                self.take()
                return [(k, w * float(tok.text)) for k, w in self.factor()]
            return [(tok.text, 1.0)]  # a bare number is a key ("1995" is a word in GloVe)
        if tok.kind == "key":
            return [(tok.text, 1.0)]
        if tok.kind == "op" and tok.text == "(":
            inner = self.expr()
            close = self.take()
            if close.text != ")":
                self.fail("')'", close)
            return inner
        self.fail("a word", tok)


def parse(text: str, known: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
    """Parse ``text`` into ``[(key, weight), ...]``, repeated keys merged, first-seen order kept."""
    if not text or not text.strip():
        raise ExpressionError("the expression is empty", hint="write e.g. madrid - spain + france")
    parser = _Parser(tokenize(text, known))
    terms = parser.expr()
    end = parser.peek()
    if end.kind != "end":
        parser.fail("'+', '-' or the end", end)
    merged: dict[str, float] = {}
    for key, weight in terms:
        merged[key] = merged.get(key, 0.0) + weight
    return [(k, w) for k, w in merged.items()]


def describe(terms: list[tuple[str, float]]) -> str:
    """Canonical text of a parsed expression, e.g. ``madrid - spain + france``."""
    out = []
    for i, (key, weight) in enumerate(terms):
        name = (
            key
            if re.fullmatch(r"[^\s+*/()\"'-][^\s+*/()\"']*", key) and not _NUMBER.match(key)
            else '"' + key.replace('"', '\\"') + '"'
        )
        mag = abs(weight)
        text = name if mag == 1 else f"{mag:g}*{name}"
        sign = "-" if weight < 0 else "+"
        out.append(("-" + text if sign == "-" else text) if i == 0 else f"{sign} {text}")
    return " ".join(out)
