"""The Train page keeps its settings across pages (Tune, Trials, Seed, k, Protocol) and, after a
reload, the log the user chose (in the URL), not the newest one."""

from streamlit.testing.v1 import AppTest

from embedlab.dashboard.state import keys
from tests.test_dashboard import APP, open_page


def test_tune_trials_and_seed_are_kept_while_another_page_is_shown():
    at = open_page("train")
    at.toggle(key="train.tune").set_value(True).run()
    at.number_input(key="train.trials").set_value(5).run()
    at.number_input(key="train.seed").set_value(7).run()
    at.selectbox(key="train.protocol").set_value("basket").run()
    at.switch_page("views/compare.py").run()
    at.query_params.clear()  # a page switch in the browser leaves the Train page's URL behind
    at.switch_page("views/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.toggle(key="train.tune").value is True
    assert at.number_input(key="train.trials").value == 5
    assert at.number_input(key="train.seed").value == 7
    assert at.selectbox(key="train.protocol").value == "basket"


def test_trials_are_kept_while_tune_is_off():
    at = open_page("train")
    at.toggle(key="train.tune").set_value(True).run()
    at.number_input(key="train.trials").set_value(4).run()
    at.toggle(key="train.tune").set_value(False).run()
    assert not [n for n in at.number_input if n.key == "train.trials"]
    at.toggle(key="train.tune").set_value(True).run()
    assert at.number_input(key="train.trials").value == 4


def validated(at, name: str, text: str) -> str:
    at.switch_page("views/data.py").run()
    at.file_uploader(key="data.log_upload").upload(name, text.encode(), "text/csv")
    at.run()
    at.button[[b.label for b in at.button].index("Validate log")].click().run()
    assert not at.exception and any("ready to train" in s.value for s in at.success)
    return at.session_state[keys.LATEST_LOG.key]


def test_a_reload_keeps_the_log_chosen_not_the_newest(tmp_path):
    at = open_page("data")
    rows = "".join(f"u{u},i{(u * k) % 7}\n" for u in range(8) for k in range(1, 4))
    older = validated(at, "older.csv", "user,item\n" + rows)
    newer = validated(at, "newer.csv", "user,item\n" + rows + "u9,i1\nu9,i2\n")
    at.switch_page("views/train.py").run()
    assert at.session_state["train.log"] == newer  # opens on the log just validated
    at.selectbox(key="train.log").set_value(older).run()
    assert at.query_params["log"] in (older, [older])
    again = AppTest.from_file(APP, default_timeout=180)  # a reload: same browser, same URL
    again.session_state[keys.BROWSER_ID.key] = at.session_state[keys.BROWSER_ID.key]
    again.query_params.update({k: at.query_params[k] for k in at.query_params})
    again.run()
    again.switch_page("views/train.py").run()
    assert not again.exception, [e.value for e in again.exception]
    assert again.session_state["train.log"] == older


def test_the_sample_log_chosen_over_a_validated_one_survives_a_reload(tmp_path):
    at = open_page("data")
    rows = "".join(f"u{u},i{(u * k) % 7}\n" for u in range(8) for k in range(1, 4))
    validated(at, "mine.csv", "user,item\n" + rows)
    at.switch_page("views/train.py").run()
    at.selectbox(key="train.log").set_value("sample").run()
    assert at.query_params["log"] in ("sample", ["sample"])
