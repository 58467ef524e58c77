#!/usr/bin/env bash
# Runs only the fuzz test, with N mutants of the fixture models (default 100000) and an optional base seed, and prints
# the counts per mutation and outcome, and every failure with the case that makes it again (docs/robustness.md).
# Exits non-zero when a mutant failed or hung. CI's run is the test's default: 5000 mutants, seed 20240601.
#   scripts/fuzz.sh [N] [SEED]
set -uo pipefail
cd "$(dirname "$0")/.."

cases="${1:-100000}"
seed="${2:-}"
report=$(mktemp)
trap 'rm -f "$report"' EXIT

if ! dotnet build tests/ZilOnnx.Tests -c Release -v quiet -nologo; then
    echo "The build failed."
    exit 1
fi

env ZILONNX_FUZZ_CASES="$cases" ZILONNX_FUZZ_REPORT="$report" ${seed:+ZILONNX_FUZZ_SEED="$seed"} \
    dotnet test tests/ZilOnnx.Tests -c Release --no-build --filter "FullyQualifiedName~Robustness.FuzzTests.Mutants"
status=$?

if [ -s "$report" ]; then
    cat "$report"
else
    echo "fuzz: no counts (the test run did not finish)"
    status=1
fi
exit "$status"
