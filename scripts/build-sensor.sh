#!/usr/bin/env bash
# Builds dist/sensor/trueslim-sensor-linux-{amd64,arm64} (arm64 only with the cross
# compiler installed). Idempotent: prints nothing when the binaries are up to date.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
make -s --no-print-directory -C "$root/sensor" all
