"""The Catalog page's "both" selection: random and most-popular items of each size, so the page
names what drives the drop (catalog size or interactions per item), as the CLI sweep does."""

from streamlit.testing.v1 import AppTest

from embedlab.dashboard.state import keys
from tests.paths import ROOT


def test_catalog_page_runs_both_selections_and_names_the_driver():
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("views/catalog.py").run()
    assert at.radio(key="catalog.mode").value == "both"  # the default, as on the command line
    at.text_input(key="catalog.grid.items").set_value("96, 1000").run()
    at.multiselect[0].set_value(["als"]).run()
    at.number_input[0].set_value(2).run()
    # random 96, random 1000 (the whole catalog, trained once) and popular 96, two seeds each
    assert any(c.value.startswith("6 trainings") for c in at.caption)
    at.button[[b.label for b in at.button].index("Run sweep")].click().run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    rows = at.session_state[keys.CATALOG_SWEEP.key][0]
    assert set(zip(rows["mode"], rows["value"])) == {
        ("random", 96),
        ("random", 1000),
        ("popular", 96),
        ("popular", 1000),
    }  # whole catalog reported under both
    verdicts = at.table[0].value
    assert list(verdicts.index) == ["als"]
    assert verdicts["driver"].iloc[0] in {"catalog size", "events per item", "mixed", "no drop"}
    assert "What drives it for als" in at.info[0].value
    assert "most-popular selection" in verdicts["evidence"].iloc[0]
