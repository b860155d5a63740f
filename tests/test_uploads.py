"""Uploads are moved to disk: Streamlit's in-memory record of a file is emptied once the file is
stored, and the pages go on reading the stored copy (issue 23: the server's memory must not grow
by each upload while its session lives)."""

from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from embedlab.dashboard.uploads import uploader

    up = uploader("A file", key="test.upload")
    if up is not None:
        ctx = get_script_run_ctx()
        held = ctx.uploaded_file_mgr.get_files(ctx.session_id, [up.file_id])
        st.write(f"{up.name}|{up.path.read_bytes().decode()}|{sum(len(r.data) for r in held)}")
    st.button("Rerun")


def _shown(at: AppTest) -> str:
    return at.markdown[0].value if at.markdown else ""


def test_an_upload_is_read_from_disk_and_no_longer_held_in_memory():
    at = AppTest.from_function(_page, default_timeout=60)
    at.run()
    body = "user,item\nu1,a\n" * 1000
    at.file_uploader(key="test.upload").upload("log.csv", body.encode(), "text/csv")
    at.run()
    assert not at.exception
    assert _shown(at) == f"log.csv|{body}|0"  # stored whole, Streamlit's copy emptied
    first = at.session_state["test.upload"].file_id
    assert at.session_state["test.upload"].getvalue() == b""  # nor the session's widget value
    at.button[0].click().run()  # another widget's rerun: the same stored file, still not held
    assert _shown(at) == f"log.csv|{body}|0"
    assert at.session_state["test.upload"].file_id == first


def test_a_cleared_uploader_gives_no_file():
    at = AppTest.from_function(_page, default_timeout=60)
    at.run()
    at.file_uploader(key="test.upload").upload("log.csv", b"user,item\nu1,a\n", "text/csv")
    at.run()
    assert _shown(at).startswith("log.csv|")
    at.file_uploader(key="test.upload").clear()
    at.run()
    assert not at.exception and _shown(at) == ""
