#!/usr/bin/env bash
# Installs what peerscope needs on a Debian machine, and nothing that is already there.
#   scripts/bootstrap.sh          Debian packages for building and running
#   scripts/bootstrap.sh --python also the py-libp2p venv used by the interop tests and benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."

want_python=0
[ "${1:-}" = "--python" ] && want_python=1

debs=(libncurses-dev libsecp256k1-dev tmux python3-venv ncurses-term fonts-dejavu-core)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
    echo "bootstrap: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "bootstrap: swift is not on PATH; peerscope needs Swift 6.3 (expected at /opt/swift/usr/bin)" >&2
  exit 1
fi

if [ "$want_python" = 1 ]; then
  venv=.venv
  stamp="$venv/.peerscope-libp2p-0.8.1-pillow"
  if [ ! -f "$stamp" ]; then
    echo "bootstrap: creating $venv with libp2p==0.8.1 (py-libp2p, the interop peer)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "libp2p==0.8.1" pillow
    touch "$stamp"
  fi
fi
