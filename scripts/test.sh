#!/usr/bin/env bash
# Install everything the tests need (Debian's Chromium for the browser tests, a Java runtime for
# Spark, the package with its test and spark extras) and run the whole suite. CI runs exactly
# this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e ".[test,spark]"
python3 -m pytest -p no:cacheprovider "$@"
