#!/usr/bin/env bash
# Makes sure a Docker engine answers. Reuses one that already does (DOCKER_HOST or
# the local socket); otherwise installs Debian's docker.io (as root) and starts dockerd.
set -euo pipefail
if docker version >/dev/null 2>&1; then exit 0; fi
if [ -n "${DOCKER_HOST:-}" ]; then
  echo "trueslim: DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local engine." >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "trueslim: no Docker engine and not root: install Docker (e.g. apt-get install docker.io) and start it." >&2
    exit 1
  fi
  echo "trueslim: installing docker.io (Debian)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi
log="${TMPDIR:-/tmp}/trueslim-dockerd.log"
echo "trueslim: starting dockerd (log: $log)…" >&2
nohup dockerd --host unix:///var/run/docker.sock >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if docker version >/dev/null 2>&1; then exit 0; fi
  sleep 0.5
done
echo "trueslim: dockerd did not answer within 30 s; see $log" >&2
exit 1
