#!/usr/bin/env bash
# Tools the engine tests need beside Docker: Debian's busybox-static (the tiny base image of
# the fault and bad-input tests) and iproute2 (the private daemon of the daemon-restart test).
# Installs them once (as root); without root or apt it says what to install and the tests
# that need them fail with that reason.
set -euo pipefail
missing=()
[ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || missing+=(busybox-static)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "trueslim: the engine tests need: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "trueslim: installing ${missing[*]} for the engine tests (Debian)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
