#!/usr/bin/env bash
# The VSIX ships the sensor for amd64 and arm64; arm64 needs Debian's cross compiler.
# Installs it once (as root); without root or apt it warns and the arm64 sensor is skipped.
set -euo pipefail
if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "trueslim: no aarch64-linux-gnu-gcc: the arm64 sensor is not built (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)" >&2
  exit 0
fi
echo "trueslim: installing the arm64 cross compiler for the sensor (Debian gcc-aarch64-linux-gnu)…" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get install -y -qq gcc-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq gcc-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null; }; }; then
  echo "trueslim: could not install the arm64 cross compiler; the arm64 sensor is not built" >&2
fi
exit 0
