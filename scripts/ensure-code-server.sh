#!/usr/bin/env bash
# Installs code-server 4.100.3 (real VS Code in the browser) into .cache/code-server for the
# end-to-end tests, following ../shared/test-env.md. Idempotent: a marker file skips the
# work (the first time takes about 2 minutes). Also makes sure Chromium, ripgrep and the
# Kerberos headers code-server's native modules need are present (apt, as root).
# Prints the code-server entry script's path on stdout.
set -euo pipefail
VERSION="4.100.3"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${TRUESLIM_CODE_SERVER_DIR:-$root/.cache/code-server}"
# Bump RECIPE when the steps below change, so cached installs are redone.
RECIPE=2
marker="$dir/.installed-$VERSION-r$RECIPE"
entry="$dir/node_modules/code-server/out/node/entry.js"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "trueslim: need ${missing[*]} (apt-get install -y ${missing[*]}) for the e2e tests" >&2
    exit 1
  fi
  echo "trueslim: installing ${missing[*]}…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -f "$marker" ] && [ -f "$entry" ]; then
  echo "$entry"
  exit 0
fi

echo "trueslim: installing code-server $VERSION into $dir (about 2 minutes)…" >&2
mkdir -p "$dir"
# Own package.json, so npm installs here and never into the repository above.
[ -f "$dir/package.json" ] || echo '{ "name": "trueslim-code-server-cache", "private": true }' >"$dir/package.json"
log="$dir/install.log"
: >"$log"
run() { "$@" >>"$log" 2>&1 || { echo "trueslim: failed: $* (see $log)" >&2; tail -30 "$log" >&2; exit 1; }; }

cd "$dir"
run npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"
cd "$dir/node_modules/code-server/lib/vscode"
run npm install --no-audit --no-fund --omit=dev --ignore-scripts
# spdlog writes the log files (our output channel's too) and native-watchdog guards the
# extension host; without them code-server works but floods its output with errors.
npm_config_yes=true run npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog native-watchdog
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
cd extensions
run npm install --no-audit --no-fund --omit=dev
cd "$dir"
npm_config_yes=true run npm rebuild argon2

touch "$marker"
echo "trueslim: code-server $VERSION ready" >&2
echo "$entry"
