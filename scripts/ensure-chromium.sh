#!/usr/bin/env bash
# Debian's Chromium for the webview and end-to-end tests (playwright-core drives it).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "trueslim: install Debian's chromium (apt-get install chromium)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
