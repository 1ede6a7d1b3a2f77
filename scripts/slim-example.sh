#!/usr/bin/env bash
# The main job on the bundled example: slim examples/fizzbuzz, print the summary, write the report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec node dist/cli.js slim examples/fizzbuzz/Dockerfile "$@"
