#!/usr/bin/env bash
# Samples per second of data-parallel fine-tuning (docs/scale-out.md): the shipped LeNet-5 on the embedded
# Fashion-MNIST subset, Z-IL, float32, global batch B, with 1 process and with `mpirun -np 2`, each rank on
# one libtorch thread, and 1 process on 2 threads for comparison. Verification off (--verify-every 0) and on (1).
# Usage: scripts/mpi-throughput.sh [STEPS] [BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-200} batch=${2:-64}
dotnet build src/Cli -c Release -v quiet -nologo >/dev/null
zilonnx=$PWD/src/Cli/bin/Release/net10.0/zilonnx
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
common=(finetune models/lenet5-fashion.onnx --data models/data/fashion-mnist-subset --rule zil --batch-size "$batch" --steps "$steps" --quiet -o "$out/m.onnx")

rate() { # label, command...: samples/s from the summary line "fine-tuned N steps in S s", and rank 0's allreduce time
    local label=$1; shift
    local output seconds allreduce
    output=$("$@" 2>&1)
    seconds=$(grep -o 'fine-tuned [0-9]* steps in [0-9.]* s' <<<"$output" | awk '{print $5}')
    allreduce=$(grep -o 'allreduce over [0-9]* ranks: [0-9.]* ms' <<<"$output" | awk '{print $5}' || true)
    awk -v l="$label" -v s="$seconds" -v n="$steps" -v b="$batch" -v a="${allreduce:--}" \
        'BEGIN { printf "%-50s %7.1f s  %8.0f samples/s  allreduce %s ms/step\n", l, s, n * b / s, a }'
}

for verify in 0 1; do
    rate "N=1, 1 thread,  verify-every $verify" "$zilonnx" "${common[@]}" --threads 1 --verify-every "$verify"
    rate "N=1, 2 threads, verify-every $verify" "$zilonnx" "${common[@]}" --threads 2 --verify-every "$verify"
    rate "N=2 (mpirun), 1 thread each, verify-every $verify" mpirun --oversubscribe -np 2 "$zilonnx" "${common[@]}" --threads 1 --verify-every "$verify" --distributed mpi
done
