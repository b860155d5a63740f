"""Analogy and word-pair benchmarks must equal gensim's on the same vectors and settings."""

import json

import numpy as np
import pytest

from embedlab.core import FormatError
from embedlab.core.cli import main
from embedlab.core.evaluate.analogies import default_analogies, evaluate_analogies
from embedlab.core.evaluate.diagnostics import diagnose
from embedlab.core.evaluate.similarity import default_pairs, evaluate_pairs


@pytest.fixture(scope="module")
def kv(glove):
    from gensim.models import KeyedVectors

    small = glove.head(30000)
    kv = KeyedVectors(small.dim)
    kv.add_vectors(small.keys, np.asarray(small.vectors))
    return kv


def test_analogies_equal_gensim(glove, kv):
    ours = evaluate_analogies(glove, restrict=30000)
    score, sections = kv.evaluate_word_analogies(str(default_analogies()), restrict_vocab=30000)
    assert ours.accuracy == pytest.approx(score, abs=1e-9)
    theirs = {s["section"]: len(s["correct"]) for s in sections if s["section"] != "Total accuracy"}
    assert dict(zip(ours.sections.section, ours.sections.correct)) == theirs


@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
def test_pairs_equal_gensim(glove, kv, name):
    ours = evaluate_pairs(glove, default_pairs(name), restrict=30000)
    pearson, spearman, oov = kv.evaluate_word_pairs(str(default_pairs(name)), restrict_vocab=30000)
    assert ours.pearson == pytest.approx(pearson[0], abs=1e-5)
    assert ours.spearman == pytest.approx(spearman[0], abs=1e-5)
    assert ours.oov_ratio * 100 == pytest.approx(oov)


def test_case_variants_are_all_excluded(tmp_path):
    from embedlab.core import Embeddings

    keys = ["a", "b", "c", "C", "d"]
    vec = np.array(
        [[1, 0, 0], [0, 1, 0], [0, 0, 1], [-0.5, 0.6, 0.6], [0.1, 0.9, 0.9]], dtype=np.float32
    )
    q = tmp_path / "q.txt"
    q.write_text(": s\na b c d\nA B C D\nbad line\n")
    rep = evaluate_analogies(Embeddings(keys, vec), q)
    # b - a + c is nearest to C (a spelling of an input) and then d: with C masked, d is right.
    assert (rep.correct, rep.total, rep.invalid_lines) == (2, 2, 1)


def test_questions_before_a_section_are_an_error(glove, tmp_path):
    q = tmp_path / "q.txt"
    q.write_text("a b c d\n")
    with pytest.raises(FormatError, match="before any ': section'"):
        evaluate_analogies(glove, q)


def test_cli_evaluate_json(capsys, tmp_path):
    q = tmp_path / "q.txt"
    q.write_text(
        ": capitals\nathens greece paris france\nmadrid spain paris france\n"
        "zzqqzz spain paris qqzzxq\n"
    )
    assert main(["evaluate", "analogies", "--file", str(q), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["correct"], out["total"], out["skipped_oov"]) == (2, 2, 1)
    assert out["sections"] == [{"section": "capitals", "accuracy": 1.0, "correct": 2, "total": 2}]
    assert main(["evaluate", "similarity", "--json"]) == 0
    sim = json.loads(capsys.readouterr().out)
    assert set(sim) >= {"pearson", "spearman", "oov_ratio", "pairs"} and sim["spearman"] > 0.4


def test_diagnose_on_known_geometry():
    from embedlab.core import Embeddings

    rng = np.random.default_rng(0)
    # all vectors share a large common direction: strongly anisotropic, effectively low-dimensional
    base = rng.normal(size=(500, 4)) * 0.1 + np.array([5, 0, 0, 0])
    d = diagnose(Embeddings([str(i) for i in range(500)], base), sample=500, k=5)
    assert d.anisotropy > 0.9
    iso = diagnose(
        Embeddings([str(i) for i in range(500)], rng.normal(size=(500, 4))), sample=500, k=5
    )
    assert abs(iso.anisotropy) < 0.1
    assert iso.participation_ratio > 3.5 and iso.dims_for_90pct_variance >= 3
    assert sum(h["k_occurrence"] for h in d.hubs) <= 500 * 5


def test_cli_diagnose_json(capsys):
    assert main(["diagnose", "--sample", "2000", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["keys_used"] == 2000 and 0 < d["anisotropy"] < 1 and len(d["hubs"]) == 10
