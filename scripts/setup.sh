#!/usr/bin/env bash
# Everything a fresh clone needs before it can slim or test, idempotent and quiet when done:
# npm dependencies, a Docker engine, the Debian base image, the sensor and the bundles.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "trueslim: installing npm dependencies…" >&2
  npm ci --no-audit --no-fund >/dev/null
fi
if ! command -v gcc >/dev/null 2>&1; then
  echo "trueslim: gcc is needed to build the sensor (apt-get install gcc libc6-dev)" >&2
  exit 1
fi
scripts/ensure-cross-gcc.sh
scripts/ensure-docker.sh
scripts/ensure-base-image.sh
node scripts/build.mjs
