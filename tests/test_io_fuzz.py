"""Property-based: malformed files thrown at every loader load consistently or raise a typed error
(an EmbedlabError with a message); any other exception escaping a loader is a bug and fails here.
The examples are the same on every run (conftest's Hypothesis profile: derandomized)."""

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from embedlab.core import EmbedlabError, io

FORMATS = ["word2vec", "word2vec-binary", "glove", "csv", "projector", "npy", "parquet", None]

token = st.one_of(
    st.sampled_from(["1", "-0.5", "nan", "inf", "1e309", "x", "", "3 4", "\t", ",", '"']),
    st.text(max_size=6),
)
line = st.lists(token, max_size=6).map(" ".join)
text_file = st.lists(line, max_size=8).map("\n".join)
# the files are bytes from the start: text with lone surrogates becomes the bytes a damaged UTF-8
# file holds (surrogatepass), so the loader, not the strategy, meets them
damaged = st.one_of(
    text_file.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
    text_file.map(lambda t: ("3 2\n" + t).encode("utf-8", "surrogatepass")),
    st.binary(max_size=120).map(lambda b: b"2 3\nab " + b),
    st.binary(max_size=60).map(lambda b: b"\x93NUMPY" + b),
    st.binary(max_size=60).map(lambda b: b"PAR1" + b),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=damaged,
    fmt=st.sampled_from(FORMATS),
    suffix=st.sampled_from([".txt", ".bin", ".vec", ".csv", ".tsv", ".npy", ".parquet", ""]),
)
def test_only_typed_errors_escape(tmp_path_factory, data, fmt, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"vectors{suffix}"
    path.write_bytes(data)
    try:
        emb = io.load(path, format=fmt)
    except EmbedlabError as exc:  # the only exception a loader may raise for a damaged file
        assert str(exc).strip() and "\n" not in str(exc), repr(str(exc))  # one line, not empty
        event(f"refused: {type(exc).__name__}")
        return
    event("loaded")
    assert len(emb) > 0 and emb.vectors.shape == (len(emb.keys), emb.dim)
    assert len(set(emb.keys)) == len(emb.keys)  # duplicates are dropped, never kept twice
