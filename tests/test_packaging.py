"""The installed layout: core/, dashboard/ and sample_data/ ship as embedlab.core,
embedlab.dashboard and embedlab.sample_data."""

import tomllib

from tests.paths import ROOT

TOPS = ("core", "dashboard", "sample_data")


def test_every_package_folder_is_installed_under_embedlab():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {
        f"embedlab.{'.'.join(p.parent.relative_to(ROOT).parts)}"
        for top in TOPS
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert set(config["packages"]) == folders
    assert config["package-dir"] == {f"embedlab.{top}": top for top in TOPS}
