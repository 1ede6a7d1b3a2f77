#!/usr/bin/env bash
# npm run bench: sets up what the benchmarks need (Docker engine, base image, sensor, bundles,
# Chromium for the webview figures), then runs bench/run.ts with the arguments given.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/ensure-chromium.sh
exec node --import tsx bench/run.ts "$@"
