"""Compressed logs read exactly like plain ones; damaged archives say so."""

import bz2
import gzip
import lzma

import numpy as np
import pandas as pd
import pytest
import zstandard

from embedlab.core import FormatError
from embedlab.core.compression import compression_of, logical_suffix, open_binary
from embedlab.core.errors import UnsafeFileError
from embedlab.core.logs import prepare, read_log
from tests.paths import SAMPLE_LOG

COMPRESSORS = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda b: zstandard.ZstdCompressor().compress(b),
}
HEAD = 3000  # the first rows of the sample log: enough rows, fast


@pytest.fixture(scope="module")
def plain_csv():
    return b"".join(SAMPLE_LOG.read_bytes().splitlines(keepends=True)[:HEAD])


def write(tmp_path, name, data: bytes, ext: str):
    path = tmp_path / f"{name}.{ext}"
    path.write_bytes(COMPRESSORS[ext](data))
    return path


@pytest.mark.parametrize("ext", COMPRESSORS)
def test_csv_reads_like_the_plain_file(tmp_path, plain_csv, ext):
    (tmp_path / "plain.csv").write_bytes(plain_csv)
    want = prepare(tmp_path / "plain.csv")
    got = prepare(write(tmp_path, "log.csv", plain_csv, ext))
    assert np.array_equal(got.item, want.item) and np.array_equal(got.user, want.user)
    assert got.items.tolist() == want.items.tolist() and got.rows.tolist() == want.rows.tolist()


@pytest.mark.parametrize("ext", ["gz", "zst"])
def test_tsv_jsonl_and_baskets_read_compressed(tmp_path, ext):
    tsv = write(tmp_path, "log.tsv", b"user\titem\nu1\ta\nu1\tb\nu2\ta\n", ext)
    assert read_log(tsv).shape == (3, 2)
    jsonl = write(
        tmp_path, "log.jsonl", b'{"user": "u1", "item": "a"}\n{"user": "u2", "item": "b"}\n', ext
    )
    assert read_log(jsonl)["item"].tolist() == ["a", "b"]
    baskets = write(tmp_path, "groceries.csv", b"milk,bread,,\neggs,milk,butter,\nbread,,,\n", ext)
    inter = prepare(baskets)
    assert (
        inter.baskets
        and len(inter) == 6
        and set(inter.items) == {"milk", "bread", "eggs", "butter"}
    )


def test_parquet_inside_gzip_reads_within_the_budget(tmp_path, monkeypatch):
    import io

    buf = io.BytesIO()
    pd.DataFrame({"user": ["u1", "u2"], "item": ["a", "b"]}).to_parquet(buf)
    path = tmp_path / "log.parquet.gz"
    path.write_bytes(gzip.compress(buf.getvalue()))
    assert list(read_log(path)["item"]) == ["a", "b"]
    big = (
        tmp_path / "big.parquet.gz"
    )  # decompresses far beyond what its size allows: refused, not read
    pd.DataFrame({"user": ["u"] * 400_000, "item": ["x" * 50] * 400_000}).to_parquet(
        buf := io.BytesIO(), compression=None, use_dictionary=False
    )
    big.write_bytes(gzip.compress(buf.getvalue()))
    monkeypatch.setenv("EMBEDLAB_MAX_DECOMPRESSED_MB", "1")
    with pytest.raises(FormatError, match="decompresses to more than"):
        read_log(big)


def test_compression_is_told_by_bytes_not_name(tmp_path, plain_csv):
    path = tmp_path / "really_gzip.csv"
    path.write_bytes(gzip.compress(plain_csv))
    assert compression_of(path) == "gzip" and len(read_log(path)) == HEAD - 1
    assert logical_suffix("a.JSONL.bz2") == ".jsonl" and logical_suffix("a.csv") == ".csv"


@pytest.mark.parametrize("ext", COMPRESSORS)
def test_truncated_archive_is_a_format_error_not_a_shorter_log(tmp_path, plain_csv, ext):
    whole = COMPRESSORS[ext](plain_csv * 8)
    path = tmp_path / f"cut.csv.{ext}"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.raises(FormatError, match="damaged|cannot be decompressed") as err:
        read_log(path)
    assert "re-download" in err.value.hint


def test_zstd_with_several_frames(tmp_path, plain_csv):
    c = zstandard.ZstdCompressor()
    path = tmp_path / "multi.csv.zst"
    path.write_bytes(c.compress(plain_csv[:1000]) + c.compress(plain_csv[1000:]))
    with open_binary(path) as fh:
        assert fh.read() == plain_csv


def test_pickle_inside_gzip_is_refused(tmp_path):
    import pickle

    path = tmp_path / "log.csv.gz"
    path.write_bytes(gzip.compress(pickle.dumps({"a": 1})))
    with pytest.raises(UnsafeFileError, match="pickle"):
        read_log(path)
