"""Titles on the CLI: ``neighbours``, ``analogy`` and ``compare`` take a title where a key is
expected (exact title first, then "did you mean"), and print titles beside keys.

The fixture is a tiny film catalogue with exact geometry: the three Star Wars films point the
same way, two crime films another, so the right neighbours are known by hand.
"""

import json

import numpy as np
import pandas as pd

from embedlab.core import Embeddings, io
from embedlab.core.cli import main

TITLES = {
    "50": ("Star Wars (1977)", "Action|Sci-Fi", [1.0, 0.0, 0.0]),
    "172": ("Empire Strikes Back, The (1980)", "Action|Sci-Fi", [0.98, 0.2, 0.0]),
    "181": ("Return of the Jedi (1983)", "Action|Sci-Fi", [0.95, 0.0, 0.3]),
    "6": ("Heat (1995)", "Crime", [0.0, 1.0, 0.1]),
    "12": ("Usual Suspects, The (1995)", "Crime", [0.1, 0.9, 0.0]),
    "99": ("Star Wars (1977)", "Documentary", [0.0, 0.0, 1.0]),  # a second item, same title
}


def films(tmp_path, name="films.parquet", flip=False) -> str:
    keys = list(TITLES)
    vectors = np.array([v for _, _, v in TITLES.values()], dtype=np.float32)
    if flip:  # a second model: the crime films' geometry changes, the Star Wars films' does not
        vectors[3:5] = vectors[3:5, ::-1]
    meta = pd.DataFrame(
        {"title": [t for t, _, _ in TITLES.values()], "genres": [g for _, g, _ in TITLES.values()]}
    )
    path = tmp_path / name
    io.save(Embeddings(keys, vectors, metadata=meta), path)
    return str(path)


def unique_films(tmp_path, name="films.parquet", flip=False) -> str:
    """The catalogue without the second 'Star Wars (1977)'."""
    emb = io.load(films(tmp_path, "all-" + name, flip))
    keep = emb.subset([k for k in emb.keys if k != "99"])
    path = tmp_path / name
    io.save(keep, path)
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_neighbours_of_a_title_list_its_sequels_by_title_beside_their_keys(capsys, tmp_path):
    code, out, err = run(
        capsys, "neighbours", "Star Wars (1977)", "--vectors", unique_films(tmp_path), "-k", "2"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Star Wars (1977) · 50:"
    assert lines[1].split()[:3] == ["1.", "172", "0.9798"]
    assert "Empire Strikes Back, The (1980)" in lines[1]
    assert lines[2].split()[1] == "181" and "Return of the Jedi (1983)" in lines[2]


def test_a_title_is_matched_exactly_before_any_key_guess(capsys, tmp_path):
    code, out, _ = run(
        capsys, "neighbours", "heat (1995)", "--vectors", unique_films(tmp_path), "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["key"] == "6" and data["query"] == "heat (1995)"
    assert data["label"] == "Heat (1995) · 6"
    assert data["results"][0]["key"] == "12"
    assert data["results"][0]["title"] == "Usual Suspects, The (1995)"


def test_a_partial_title_says_did_you_mean_with_titles_and_keys(capsys, tmp_path):
    code, out, err = run(capsys, "neighbours", "star", "--vectors", unique_films(tmp_path))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "'star' is neither a key nor a title of this set" in err
    assert "did you mean: Star Wars (1977) · 50" in err


def test_a_title_without_its_year_names_the_one_item_it_fits(capsys, tmp_path):
    code, out, _ = run(capsys, "neighbours", "star wars", "--vectors", unique_films(tmp_path))
    assert code == 0 and out.splitlines()[0] == "Star Wars (1977) · 50:"
    code, _, err = run(
        capsys, "neighbours", "star wars", "--vectors", films(tmp_path, "two.parquet")
    )
    assert code == 2 and "'star wars' names 2 items" in err  # two films of that title


def test_a_title_two_items_share_asks_for_a_key(capsys, tmp_path):
    code, _, err = run(capsys, "neighbours", "Star Wars (1977)", "--vectors", films(tmp_path))
    assert code == 2 and "'Star Wars (1977)' names 2 items" in err
    assert "Star Wars (1977) · 50" in err and "Star Wars (1977) · 99" in err


def test_analogy_takes_quoted_titles_and_answers_in_titles(capsys, tmp_path):
    code, out, err = run(
        capsys,
        "analogy",
        '"Empire Strikes Back, The (1980)" - "Star Wars (1977)" + "Heat (1995)"',
        "--vectors",
        unique_films(tmp_path),
        "-k",
        "1",
    )
    assert code == 0, err
    head, first = out.splitlines()[:2]
    expression = '"Empire Strikes Back, The (1980)" - "Star Wars (1977)" + "Heat (1995)"'
    assert head.startswith(f"{expression}:")
    # (0.98, 0.2, 0) - (1, 0, 0) + (0, 1, 0.1), inputs excluded: nearest is 12 (0.1, 0.9, 0)
    assert first.split()[1] == "12" and "Usual Suspects, The (1995)" in first


def test_compare_takes_a_title_and_marks_the_neighbours_both_sets_share(capsys, tmp_path):
    a = unique_films(tmp_path, "a.parquet")
    b = unique_films(tmp_path, "b.parquet", flip=True)
    code, out, err = run(capsys, "compare", a, b, "Heat (1995)", "-k", "1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["key"] == "6" and data["label"] == "Heat (1995) · 6"
    # in a, Heat's nearest is 12; flipped, Heat is (0.1, 1, 0) and 12 (0, 0.9, 0.1): still 12
    assert [r["key"] for r in data["neighbours_a"]] == ["12"]
    assert data["neighbours_a"][0]["label"] == "Usual Suspects, The (1995) · 12"
    assert data["jaccard"] == 1.0
    code, out, _ = run(capsys, "compare", a, b, "Star Wars (1977)", "-k", "2")
    lines = out.splitlines()
    assert lines[0] == "Star Wars (1977) · 50: overlap@2 100%, Jaccard 1.00"
    assert lines[2].startswith("  *  1.")
    assert lines[2].endswith("Empire Strikes Back, The (1980) · 172")


def test_glove_output_is_unchanged_by_titles(capsys):
    code, out, _ = run(capsys, "neighbours", "frog", "--topn", "1")
    assert code == 0 and out.splitlines()[0] == "frog:"


def test_a_terminal_line_shows_title_label_and_events_and_json_keeps_every_column(capsys, tmp_path):
    emb = io.load(unique_films(tmp_path))
    meta = emb.metadata.assign(
        url=[f"http://example.org/{k}" for k in emb.keys], events=[5, 4, 3, 2, 1]
    )
    path = tmp_path / "with-urls.parquet"
    io.save(Embeddings(emb.keys, emb.vectors, metadata=meta), path)
    code, out, err = run(capsys, "neighbours", "50", "--vectors", str(path), "-k", "1")
    assert code == 0, err
    assert out.splitlines()[1].split("  ")[-3:] == [
        "Empire Strikes Back, The (1980)",
        "Action|Sci-Fi",
        "4",
    ]
    assert "example.org" not in out
    code, out, _ = run(capsys, "neighbours", "50", "--vectors", str(path), "-k", "1", "--json")
    assert json.loads(out)["results"][0]["url"] == "http://example.org/172"
