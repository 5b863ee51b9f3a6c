#!/usr/bin/env bash
# make sanitize: the unit and socket tests (and the hostile-peer suite, whose node under attack is the
# sanitized peerscope binary) under the thread sanitizer and under the address sanitizer, each in its
# own build folder. peerscope's own targets are instrumented, not its dependencies'; under ASan the test
# code itself is not either (Package.swift says why). RSS bounds do not apply under a sanitizer. The py-libp2p / kubo interop suites and the bench smoke run are left out: they test
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
# TSan holds back asynchronous signals until the thread next enters an intercepted call, so the two tests
# that time how a blocked UI loop reacts to SIGINT measure TSan, not us.
skip_thread='aUILoopThatIgnoresTheSignalIsEndedAfterTheGracePeriod|aSecondSignalEndsTheProcessAtOnce'

# Does this toolchain's TSan see the happens-before of a continuation resume? (See the probe's comment.)
tsan_trusted=1
probe_toolchain() {
    local dir
    dir=$(mktemp -d)
    # Top-level code: the file must be called main.swift.
    cp scripts/probes/tsan-continuation-handoff.swift "$dir/main.swift"
    if ! "${SWIFT}c" -sanitize=thread -g "$dir/main.swift" -o "$dir/probe" >"$dir/build.log" 2>&1; then
        echo "sanitize: the TSan probe did not build (TSan reports will fail the run):"; cat "$dir/build.log"
        rm -rf "$dir"
        return 0
    fi
    local output
    # TSan exits 66 after reporting, so the status says nothing; the report does.
    output=$(SWIFT_BACKTRACE=enable=no "$dir/probe" 2>&1 || true)
    if grep -q "WARNING: ThreadSanitizer" <<<"$output"; then
        tsan_trusted=0
        echo "sanitize: this toolchain's TSan reports a race in scripts/probes/tsan-continuation-handoff.swift, a correct continuation handoff;"
        echo "sanitize: thread-sanitizer reports are listed and counted below but do not fail the run"
    fi
    rm -rf "$dir"
}

status=0
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in thread | address) ;; *) echo "sanitize: unknown sanitizer $sanitizer" >&2; exit 2 ;; esac
    scratch=".build/sanitize-$sanitizer"
    echo "sanitize: building the tests with -sanitize=$sanitizer in $scratch"
    start=$(date +%s)
    # Package.swift instruments peerscope's own targets when PEERSCOPE_SANITIZE is set (see there why).
    export PEERSCOPE_SANITIZE="$sanitizer"
    "$SWIFT" build --build-tests --scratch-path "$scratch"
    built=$(date +%s)
    [ "$sanitizer" = thread ] && probe_toolchain
    skipped=$skip
    [ "$sanitizer" = thread ] && skipped="$skip|$skip_thread"
    echo "sanitize: running under $sanitizer (skipping: ${skipped//|/, })"
    log="$scratch/sanitize-$sanitizer.log"
    halt=1
    [ "$sanitizer" = thread ] && [ $tsan_trusted -eq 0 ] && halt=0
    # Reports go to files (one per process), not to stderr: the tests read the stderr of the peerscope
    # processes they start, and a report there would fail a test about something else.
    reports_dir="$(pwd)/$scratch/reports"
    rm -rf "$reports_dir"
    mkdir -p "$reports_dir"
    set +e
    # halt_on_error: the first report fails the run, with its stack, instead of scrolling past.
    SWIFT_BACKTRACE=enable=no \
        TSAN_OPTIONS="halt_on_error=$halt second_deadlock_stack=1 exitcode=0 log_path=$reports_dir/tsan" \
        ASAN_OPTIONS="detect_leaks=0 halt_on_error=1 log_path=$reports_dir/asan" PEERSCOPE_PYTHON="$PY" PEERSCOPE_HOSTILE_RSS_BOUND_MB=4096 \
        "$SWIFT" test --skip-build --scratch-path "$scratch" --no-parallel --skip "$skipped" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    # Every report, from whichever process wrote it, also ends up in the log.
    for report in "$reports_dir"/*; do
        [ -f "$report" ] || continue
        echo "sanitize: report file $(basename "$report"):" >> "$log"
        cat "$report" >> "$log"
    done
    reports=$(grep -c "WARNING: ThreadSanitizer\|ERROR: AddressSanitizer" "$log" || true)
    echo "sanitize: $sanitizer: tests exited $rc after $(( $(date +%s) - built ))s (build $(( built - start ))s), $reports sanitizer reports (log: $log)"
    if [ "$reports" -gt 0 ]; then
        echo "sanitize: $sanitizer: distinct first frames of the reports:"
        # The first stack frame after each report's header (a line or two below it).
        awk '/WARNING: ThreadSanitizer|ERROR: AddressSanitizer/ { want = 1; next }
             want && /#0 / { sub(/^.*#0 /, ""); sub(/ .*/, ""); print "#0 " $0; want = 0 }' "$log" | sort | uniq -c | sort -rn | head -20
    fi
    if [ "$sanitizer" = thread ] && [ $tsan_trusted -eq 0 ]; then
        # Reports are not trusted here; failing tests still fail the run.
        [ $rc -eq 0 ] || status=1
        continue
    fi
    [ $rc -eq 0 ] && [ "$reports" -eq 0 ] || status=1
done
exit $status
