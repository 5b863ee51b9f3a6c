#!/usr/bin/env bash
# make sanitize: the unit and socket tests (and the hostile-peer suite, whose node under attack is the
# sanitized peerscope binary) under the thread sanitizer and under the address sanitizer, each in its
# own build folder. The py-libp2p / kubo interop suites and the bench smoke run are left out: they test
# other programs' behaviour, take most of make test's time, and run unsanitized there.
#
#   scripts/sanitize.sh [thread|address]...
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
PY="$PWD/.venv/bin/python"
sanitizers=("$@")
[ ${#sanitizers[@]} -eq 0 ] && sanitizers=(thread address)
skip='KuboHarnessTests|PyLibp2pConnectionInteropTests|PythonPeerHarnessTests|InteropMatrixTests|CLIPyInteropTests|PyLibp2pMplexInteropTests|BenchSmokeTests'

status=0
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in thread | address) ;; *) echo "sanitize: unknown sanitizer $sanitizer" >&2; exit 2 ;; esac
    scratch=".build/sanitize-$sanitizer"
    echo "sanitize: building the tests with -sanitize=$sanitizer in $scratch"
    start=$(date +%s)
    "$SWIFT" build --build-tests --scratch-path "$scratch" -Xswiftc -sanitize="$sanitizer"
    built=$(date +%s)
    echo "sanitize: running under $sanitizer (skipping: ${skip//|/, })"
    set +e
    # halt_on_error: the first report fails the run, with its stack, instead of scrolling past.
    SWIFT_BACKTRACE=enable=no TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
        ASAN_OPTIONS="detect_leaks=0 halt_on_error=1" PEERSCOPE_PYTHON="$PY" \
        "$SWIFT" test --skip-build --scratch-path "$scratch" --no-parallel --skip "$skip" \
        -Xswiftc -sanitize="$sanitizer"
    rc=$?
    set -e
    echo "sanitize: $sanitizer: tests exited $rc after $(( $(date +%s) - built ))s (build $(( built - start ))s)"
    [ $rc -eq 0 ] || status=1
done
exit $status
