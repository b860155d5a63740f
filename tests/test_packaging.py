"""The installed layout: core/ and dashboard/ ship as embedlab.core and embedlab.dashboard."""

import tomllib

from tests.paths import ROOT


def test_every_package_folder_is_installed_under_embedlab():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {
        f"embedlab.{'.'.join(p.parent.relative_to(ROOT).parts)}"
        for top in ("core", "dashboard")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert set(config["packages"]) == folders
    assert config["package-dir"] == {"embedlab.core": "core", "embedlab.dashboard": "dashboard"}
