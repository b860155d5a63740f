import re

import pytest

from embedlab.core import ExpressionError
from embedlab.core.expression import describe, parse


@pytest.mark.parametrize(
    "text,terms",
    [
        ("madrid - spain + france", [("madrid", 1), ("spain", -1), ("france", 1)]),
        ("-man + woman", [("man", -1), ("woman", 1)]),
        ("- - a", [("a", 1)]),
        ("0.5*king + queen", [("king", 0.5), ("queen", 1)]),
        ("king*2 - .5 * man", [("king", 2), ("man", -0.5)]),
        ("king / 2", [("king", 0.5)]),
        ("2*(a - b) + c", [("a", 2), ("b", -2), ("c", 1)]),
        (
            '"Toy Story (1995)" - "Jumanji (1995)"',
            [("Toy Story (1995)", 1), ("Jumanji (1995)", -1)],
        ),
        ("'it\\'s' + x", [("it's", 1), ("x", 1)]),
        ("1995 + film", [("1995", 1), ("film", 1)]),
        ("a + a - b", [("a", 2), ("b", -1)]),
        ("x-ray + bone", [("x-ray", 1), ("bone", 1)]),
    ],
)
def test_parse(text, terms):
    assert parse(text) == [(k, float(w)) for k, w in terms]


def test_hyphen_splits_only_when_the_whole_word_is_unknown():
    vocab = {"king", "man", "woman", "x-ray", "x", "ray"}
    assert parse("king-man+woman", known=vocab.__contains__) == [
        ("king", 1.0),
        ("man", -1.0),
        ("woman", 1.0),
    ]
    assert parse("x-ray", known=vocab.__contains__) == [("x-ray", 1.0)]


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a +", "expected a word at character 4"),
        ("(a - b", "expected ')'"),
        ('"abc', "unterminated quote"),
        ("a * b", "a number after '*'"),
        ("a b", "expected '+', '-' or the end at character 3"),
        ("a / 0", "division by zero"),
        ("*a", "expected a word"),
    ],
)
def test_parse_errors_say_where(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        parse(text)


def test_describe_round_trips():
    for text in ["madrid - spain + france", '0.5*king + "Toy Story (1995)"', "-a + 2*b"]:
        assert parse(describe(parse(text))) == parse(text)


def test_an_unquoted_title_is_told_to_be_quoted():
    with pytest.raises(ExpressionError) as err:
        parse("Toy Story (1995) - Aladdin (1992)")
    assert "found 'Story'" in err.value.message and "double quotes" in err.value.hint
    assert [k for k, _ in parse('"Toy Story (1995)" - "Aladdin (1992)"')] == [
        "Toy Story (1995)",
        "Aladdin (1992)",
    ]
