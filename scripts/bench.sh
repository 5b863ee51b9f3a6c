#!/usr/bin/env bash
# `make bench`: builds peerscope-bench in release mode and runs every benchmark; the table is printed
# and BENCHMARKS.md updated. Extra arguments go to `peerscope-bench run` (e.g. --only 1,5 --runs 3).
set -euo pipefail
cd "$(dirname "$0")/.."
swift="${SWIFT:-swift}"
"$swift" build -c release --product peerscope-bench
export PEERSCOPE_PYTHON="${PEERSCOPE_PYTHON:-$PWD/.venv/bin/python}"
command="make bench${*:+ ARGS=\"$*\"}"
exec .build/release/peerscope-bench run --command "$command" "$@"
