#!/usr/bin/env bash
# Builds the Debian base image the fixtures and the example use, once per machine:
# no registry answers here, so it is made with debootstrap from the mirror apt already uses.
set -euo pipefail
TAG="${TRUESLIM_BASE_IMAGE:-trueslim-base/debian:bookworm}"
# Bumped when the recipe changes, so a machine with an older base rebuilds it.
RECIPE=2
have=$(docker image inspect -f '{{index .Config.Labels "io.trueslim.base-recipe"}}' "$TAG" 2>/dev/null || true)
if [ "$have" = "$RECIPE" ]; then exit 0; fi
if ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then echo "trueslim: need debootstrap (apt-get install debootstrap) to build $TAG" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '/^deb / && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "trueslim: cannot find the Debian mirror apt uses" >&2; exit 1; }
root=$(mktemp -d "${TMPDIR:-/tmp}/trueslim-base.XXXXXX")
trap 'rm -rf "$root"' EXIT
echo "trueslim: debootstrap bookworm → $TAG (about 30 s)…" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# apt inside builds uses the same mirror
echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
# Like the official Debian images: apt keeps no downloaded .deb files or binary caches in the
# image (debootstrap leaves ~30 MB of them; every apt-get install would add its own), so
# source sizes and reductions are measured against what users really start from.
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
rm -f "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin
tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' -c "LABEL io.trueslim.base-recipe=$RECIPE" - "$TAG" >/dev/null
echo "trueslim: built $TAG" >&2
