#!/usr/bin/env bash
# Headless Chromium for the dashboard test (driven by playwright-core from tests/interop/js):
# Debian's chromium package, installed with apt-get if /usr/bin/chromium is missing.
#   scripts/chromium.sh ensure   install if missing, then print the version
#   scripts/chromium.sh status   exit 0 if /usr/bin/chromium is there
set -euo pipefail

CHROMIUM=/usr/bin/chromium

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

case "${1:-ensure}" in
  status)
    [ -x "$CHROMIUM" ] && "$CHROMIUM" --version
    ;;
  ensure)
    if [ ! -x "$CHROMIUM" ]; then
        echo "chromium: installing Debian's chromium package" >&2
        as_root apt-get update -qq >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
    fi
    "$CHROMIUM" --version
    ;;
  *)
    echo "usage: $0 ensure|status" >&2; exit 2
    ;;
esac
