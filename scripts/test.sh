#!/usr/bin/env bash
# Runs all tests: builds the solution in Release, checks the house style (`dotnet format --verify-no-changes`), runs
# every test assembly with a TRX logger, sums the TRX counters, and prints as its last line "N passed, N failed"
# (", N skipped" when some were skipped). Exits non-zero when the build fails, the style check fails, a test fails,
# the test run itself fails, or no test ran.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-packages.sh || echo "Could not install the test data packages; going on." >&2

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

summary() { # passed failed skipped
    local line="$1 passed, $2 failed"
    [ "$3" -gt 0 ] && line="$line, $3 skipped"
    echo "$line"
}

if ! dotnet build ZilOnnx.sln -c Release; then
    echo "The build failed."
    summary 0 0 0
    exit 1
fi

# The house style (.editorconfig): whitespace and the style rules set to warning. A failure fails the run, but the
# tests still run, so that one run reports both.
style_status=0
if ! dotnet format ZilOnnx.sln --verify-no-changes --no-restore; then
    style_status=1
fi

# The fuzz test writes its counts here; they are printed before the summary line.
export ZILONNX_FUZZ_REPORT="$results/fuzz-counts.txt"
dotnet test ZilOnnx.sln -c Release --no-build --logger "trx;LogFilePrefix=results" --results-directory "$results"
test_status=$?

# One TRX file per test assembly; its <Counters .../> element holds that run's totals. A skipped test counts
# in total but not in executed (its notExecuted counter stays 0).
counter() { # file attribute
    grep -o '<Counters [^>]*>' "$1" | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]\+' || echo 0
}
passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
    passed=$((passed + $(counter "$trx" passed)))
    failed=$((failed + $(counter "$trx" failed) + $(counter "$trx" error) + $(counter "$trx" timeout) + $(counter "$trx" aborted)))
    skipped=$((skipped + $(counter "$trx" total) - $(counter "$trx" executed)))
done

# A skipped test says why (only the CUDA tests skip, on a machine or build without CUDA): its name and reason.
for trx in "$results"/*.trx; do
    awk '/outcome="NotExecuted"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); next }
         name != "" && /<Message>/ { sub(/.*<Message>/, ""); sub(/<\/Message>.*/, ""); print "skipped: " name ": " $0; name = "" }' "$trx"
done

if [ -f "$ZILONNX_FUZZ_REPORT" ]; then
    cat "$ZILONNX_FUZZ_REPORT"
else
    echo "fuzz: no counts (the fuzz test did not run or did not finish)"
fi

status=0
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "dotnet test exited with $test_status although no test failed: a test host crashed or a run did not complete."
    status=1
fi
if [ $((passed + failed + skipped)) -eq 0 ]; then
    echo "No tests ran."
    status=1
fi
[ "$failed" -gt 0 ] && status=1
if [ "$style_status" -ne 0 ]; then
    echo "Style check failed: \`dotnet format ZilOnnx.sln --verify-no-changes\` listed the files above; run \`dotnet format ZilOnnx.sln\` to fix them."
    status=1
fi

summary "$passed" "$failed" "$skipped"
exit "$status"
