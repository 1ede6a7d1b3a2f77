#!/usr/bin/env bash
# Every test: unit (pure logic), engine (real Docker engine), webview (real Chromium),
# e2e (real VS Code = code-server, in real Chromium). Sets up what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== typecheck" >&2
npx tsc -p . --noEmit
echo "== unit" >&2
node --import tsx --test --test-reporter=spec test/unit/*.test.ts
echo "== engine" >&2
scripts/ensure-test-tools.sh
# The daemon-restart fault test runs against a private second dockerd it starts, never the
# shared one; TRUESLIM_DISRUPTIVE_TESTS=0 leaves it out.
export TRUESLIM_DISRUPTIVE_TESTS="${TRUESLIM_DISRUPTIVE_TESTS:-1}"
node --import tsx --test --test-concurrency=1 --test-reporter=spec test/engine/*.test.ts
if compgen -G "test/webview/*.test.ts" >/dev/null; then
  echo "== webview" >&2
  scripts/ensure-chromium.sh
  node --import tsx --test --test-concurrency=1 --test-reporter=spec test/webview/*.test.ts
fi
if compgen -G "test/e2e/*.test.ts" >/dev/null; then
  echo "== e2e (code-server + Chromium)" >&2
  scripts/ensure-code-server.sh
  node --import tsx --test --test-concurrency=1 --test-reporter=spec test/e2e/*.test.ts
fi
leftover=$(docker ps -aq --filter label=io.trueslim.run | wc -l)
if [ "$leftover" -ne 0 ]; then
  echo "tests left $leftover TrueSlim container(s) behind" >&2
  exit 1
fi
