#!/usr/bin/env bash
# The system's libsodium, which the identity bundle calls through JNA to verify Ed25519 signatures
# and the host to seal Noise messages (BouncyCastle and the JDK's cipher without it): Debian's
# libsodium23, installed with apt-get if missing.
#   scripts/libsodium.sh ensure   install if missing, then print the library's path
#   scripts/libsodium.sh status   exit 0 if the dynamic linker knows libsodium.so.23
set -euo pipefail

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

found() {
    /sbin/ldconfig -p 2>/dev/null | grep -o '/[^ ]*libsodium\.so\.23$' | head -1
}

case "${1:-ensure}" in
  status)
    found | grep .
    ;;
  ensure)
    if [ -z "$(found)" ]; then
        echo "libsodium: installing Debian's libsodium23 package" >&2
        as_root apt-get update -qq >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libsodium23 >&2
    fi
    found | grep .
    ;;
  *)
    echo "usage: $0 ensure|status" >&2; exit 2
    ;;
esac
