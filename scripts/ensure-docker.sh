#!/usr/bin/env bash
# Makes sure a Docker engine answers. Reuses one that already does (DOCKER_HOST or
# the local socket); otherwise installs Debian's docker.io (as root) and starts dockerd.
# BuildKit builds need a docker client with buildx, or one older than 23 (which builds with
# DOCKER_BUILDKIT=1); docker.io brings one. See src/core/docker/dockerCli.ts.
set -euo pipefail

# apt_install WHY PACKAGE: installs a Debian package quietly, refreshing the lists only when
# the install fails without them.
apt_install() {
  echo "trueslim: installing $2 (Debian) $1…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
}

buildkit_client() {
  local cli v
  for cli in $(type -ap docker) /usr/bin/docker /usr/local/bin/docker; do
    [ -x "$cli" ] || continue
    if "$cli" buildx version >/dev/null 2>&1; then return 0; fi
    v=$("$cli" version --format '{{.Client.Version}}' 2>/dev/null || true)
    if [[ "$v" =~ ^([0-9]+)\. ]] && [ "${BASH_REMATCH[1]}" -lt 23 ]; then return 0; fi
  done
  return 1
}

ensure_buildkit_client() {
  buildkit_client && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "trueslim: no docker client here can build with BuildKit; install the docker buildx plugin. Builds use the classic builder until then." >&2
    return 0
  fi
  apt_install "for its BuildKit-capable docker client" docker.io
}

# Compose projects are resolved by a real compose implementation (`docker compose config`,
# or Debian's docker-compose 1.29 when no v2 plugin exists): see src/core/compose/cli.ts.
ensure_compose() {
  docker compose version >/dev/null 2>&1 && return 0
  command -v docker-compose >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "trueslim: no compose implementation (docker compose or docker-compose); compose targets need one." >&2
    return 0
  fi
  apt_install "for compose targets" docker-compose
}

if docker version >/dev/null 2>&1; then ensure_buildkit_client; ensure_compose; exit 0; fi
if [ -n "${DOCKER_HOST:-}" ]; then
  echo "trueslim: DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local engine." >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "trueslim: no Docker engine and not root: install Docker (e.g. apt-get install docker.io) and start it." >&2
    exit 1
  fi
  apt_install "for the Docker engine" docker.io
fi
log="${TMPDIR:-/tmp}/trueslim-dockerd.log"
echo "trueslim: starting dockerd (log: $log)…" >&2
nohup dockerd --host unix:///var/run/docker.sock >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if docker version >/dev/null 2>&1; then ensure_buildkit_client; ensure_compose; exit 0; fi
  sleep 0.5
done
echo "trueslim: dockerd did not answer within 30 s; see $log" >&2
exit 1
