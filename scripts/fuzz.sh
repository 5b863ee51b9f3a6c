#!/usr/bin/env bash
# make fuzz: every fuzz target under libFuzzer (coverage-guided, with the address sanitizer) for
# FUZZ_SECONDS each (default 60), starting from the committed corpus in Tests/Fuzz/corpus/TARGET.
# Inputs that reach new coverage are merged back into that corpus (commit them); a crash or property
# violation stops with the reproducer in Tests/Fuzz/crashes/. Results go to Tests/Fuzz/LAST_RUN.md.
#
#   scripts/fuzz.sh [TARGET...]        FUZZ_SECONDS=600 scripts/fuzz.sh yamux-session
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
MAX_LEN=${FUZZ_MAX_LEN:-4096}
SCRATCH=.build/fuzz

# SwiftPM's -sanitize=fuzzer link fails on Linux (libFuzzer's own main against SwiftPM's renamed one), so
# the binary keeps its main, is instrumented for coverage, and links the no-main runtime, whose
# LLVMFuzzerRunDriver it calls (PEERSCOPE_LIBFUZZER).
runtime=$(ls "$(dirname "$(command -v "$SWIFT")")"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | head -1)
if [ -z "$runtime" ]; then
    echo "fuzz: libclang_rt.fuzzer_no_main-x86_64.a not found next to $SWIFT" >&2
    exit 1
fi
echo "fuzz: building peerscope-fuzz with libFuzzer + ASan in $SCRATCH"
"$SWIFT" build --scratch-path "$SCRATCH" --product peerscope-fuzz \
    -Xswiftc -sanitize=address \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
    -Xswiftc -DPEERSCOPE_LIBFUZZER \
    -Xlinker "$runtime" -Xlinker -lstdc++
binary="$SCRATCH/debug/peerscope-fuzz"
# The plain build lists the targets (the libFuzzer build hands its arguments to libFuzzer).
"$SWIFT" build --product peerscope-fuzz >/dev/null
lister=.build/debug/peerscope-fuzz

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets < <("$lister" list | cut -f1); fi

mkdir -p Tests/Fuzz/corpus Tests/Fuzz/crashes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report="$work/report.md"
status=0
{
    echo "| target | executions | exec/s | coverage (edges) | corpus before → after | result |"
    echo "|---|---:|---:|---:|---|---|"
} >"$report"

for target in "${targets[@]}"; do
    corpus="Tests/Fuzz/corpus/$target"
    mkdir -p "$corpus" "$work/$target"
    before=$(ls "$corpus" | wc -l)
    echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
    set +e
    SWIFT_BACKTRACE=enable=no PEERSCOPE_FUZZ_TARGET="$target" ASAN_OPTIONS=detect_leaks=0 "$binary" "$work/$target" "$corpus" \
        -max_total_time="$SECONDS_PER_TARGET" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="Tests/Fuzz/crashes/$target-" >"$work/$target.log" 2>&1
    rc=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$' || echo 0)
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$' || echo 0)
    coverage=$(grep -o 'cov: [0-9]*' "$work/$target.log" | tail -1 | grep -o '[0-9]*' || echo 0)
    if [ $rc -eq 0 ]; then
        # Keep only inputs that add coverage to the committed corpus.
        PEERSCOPE_FUZZ_TARGET="$target" ASAN_OPTIONS=detect_leaks=0 "$binary" -merge=1 -max_len="$MAX_LEN" \
            "$corpus" "$work/$target" >>"$work/$target.log" 2>&1
        result="ok"
    else
        result="**crash** (see Tests/Fuzz/crashes/$target-*)"
        status=1
        grep -E 'property violated|ERROR: AddressSanitizer|Fatal error|SUMMARY' "$work/$target.log" | head -5 >&2 || true
    fi
    after=$(ls "$corpus" | wc -l)
    echo "| $target | $runs | $speed | $coverage | $before → $after | $result |" >>"$report"
    echo "fuzz: $target: $runs executions, $coverage edges, corpus $before → $after, $result"
done

{
    echo "# Last \`make fuzz\`"
    echo
    echo "Command: \`FUZZ_SECONDS=$SECONDS_PER_TARGET scripts/fuzz.sh${1:+ $*}\` on $(nproc) cores, $(date -u +%Y-%m-%d)."
    echo "libFuzzer with the address sanitizer; \`-max_len=$MAX_LEN\`. Executions are libFuzzer's final count."
    echo
    cat "$report"
} >Tests/Fuzz/LAST_RUN.md
cat Tests/Fuzz/LAST_RUN.md
exit $status
