#!/usr/bin/env bash
# Install everything the tests need (Debian's Chromium for the browser tests, a Java runtime for
# Spark, the package with its test and spark extras), check the style, and run the whole suite.
# CI runs exactly this (.ci/run).
#
# Nothing here writes to the user's folders: pip runs without its cache (~/.cache/pip) and
# without rustup's settings (below); the tests point HOME, the XDG folders, EMBEDLAB_WORKSPACE,
# EMBEDLAB_CACHE and the tools' folders at a temporary root before they import the app
# (tests/conftest.py, tests/isolation.py).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# pip runs `rustc --version` for its user agent; where rustc is a rustup proxy, rustup writes
# ~/.rustup/settings.toml for a user who has none: that one call gets a throwaway RUSTUP_HOME
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
RUSTUP_HOME="$scratch/rustup" python3 -m pip install -q --disable-pip-version-check --no-cache-dir \
  -e ".[test,spark]"
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m pytest "$@"
