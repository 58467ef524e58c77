#!/usr/bin/env bash
# The seed paper's claim (Z-IL trains exactly as backprop does) reproduced from scratch: LeNet-5 and the row-wise RNN,
# every parameter drawn afresh (--reinit), trained on Fashion-MNIST with each learning rule from the same seed, the
# held-out test set evaluated after every epoch. Writes docs/reproduction.md and one SVG plot per model under
# docs/reproduction/ (scripts/reproduce-summary.cs). The defaults are long runs: a relaxing step (fa-zil, il) costs
# many Z-IL steps, so LIMITS shortens single runs; the page says how many steps each run took.
#
# Settings (environment variables, each with its default; docs/reproduction.md names the ones it was made with):
#   RULES     rules to run, in this order: "zil bp fa-zil il ipc"; a rule `zilonnx finetune --help` does not list is
#             left out, and the page says so
#   EPOCHS    epochs per rule: 3
#   MODELS    models to train: "lenet5 rnn"
#   STEPS     when set, every run takes this many steps instead of EPOCHS epochs (a quick check of the pipeline)
#   LIMITS    step limits for single runs, "KEY:N ...", KEY a rule, a model or MODEL/RULE (the most specific wins):
#             "il:300 ipc:300", since a step of il relaxes for T = 20 inference steps before its update
#   DATA      training data; its test split is the held-out set: fashion-mnist
#   SEED      --seed of every run (initialisation and shuffling): 1
#   OUT       where reproduction.md and reproduction/ go: docs
#   WORK      where the metrics, logs and trained models go: a new temporary folder
#   ZILONNX   the command that runs zilonnx (e.g. "dotnet path/zilonnx.dll"): built from this checkout when unset
set -euo pipefail
cd "$(dirname "$0")/.."

rules=${RULES:-zil bp fa-zil il ipc}
epochs=${EPOCHS:-3}
steps=${STEPS:-}
models_wanted=${MODELS:-lenet5 rnn}
limits=${LIMITS:-il:300 ipc:300}
data=${DATA:-fashion-mnist}
seed=${SEED:-1}
out=${OUT:-docs}
work=${WORK:-$(mktemp -d)}
batch=64
mkdir -p "$work" "$out/reproduction"
if [ -z "${ZILONNX:-}" ]; then
    dotnet build src/Cli -c Release -v quiet -nologo
    ZILONNX=src/Cli/bin/Release/net10.0/zilonnx
fi
read -ra zilonnx <<< "$ZILONNX"

# Samples in the training split: the label file's IDX header holds the count (big-endian, bytes 4-7).
labels_file() {
    local own=${ZILONNX_DATA:-/nonexistent}
    for folder in "$data" "$own" "$own/fashion-mnist" /usr/share/datasets/fashion-mnist; do
        for name in train-labels-idx1-ubyte.gz train-labels-idx1-ubyte; do
            [ -f "$folder/$name" ] && { echo "$folder/$name"; return; }
        done
    done
    echo "error: DATA=$data: no train-labels-idx1-ubyte[.gz] found (an IDX folder or fashion-mnist)" >&2
    exit 2
}
label_file=$(labels_file)
samples=$( (zcat -f "$label_file" | head -c 8 | tail -c 4 | od -An -tu1) | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
# --epochs counts the last, partial batch of a pass as a step of it (the batches wrap around).
steps_per_epoch=$(((samples + batch - 1) / batch))

help=$("${zilonnx[@]}" finetune --help)
limit() {
    local key
    for key in "$1/$2" "$2" "$1"; do
        for item in $limits; do [ "${item%%:*}" = "$key" ] && { echo "${item#*:}"; return; }; done
    done
    return 0
}
listed() { grep -qE -- "--rule <rule> .*[ ,:]$1([ ,]|$)" <<< "$help"; }

# model name, file, optimizer settings (those its model card trained it with), il's and ipc's inference rate (a stable one,
# docs/ablation.md: LeNet-5's relaxation blows up from 0.03, the RNN's from 0.4).
models=(
    "lenet5|models/lenet5-fashion.onnx|--optimizer momentum --lr 0.02|0.02"
    "rnn|models/rnn-fashion-rows.onnx|--optimizer adam --lr 0.0005|0.1"
)

manifest="$work/runs.tsv"
printf 'model\trule\texit\tcommand\n' > "$manifest"
skipped=()
for rule in $rules; do listed "$rule" || skipped+=("$rule"); done
for entry in "${models[@]}"; do
    IFS='|' read -r name file optimizer gamma <<< "$entry"
    [[ " $models_wanted " == *" $name "* ]] || continue
    for rule in $rules; do
        listed "$rule" || continue
        cap=${steps:-$(limit "$name" "$rule")}
        if [ -n "$cap" ]; then length=(--steps "$cap"); every=$((cap < steps_per_epoch ? cap : steps_per_epoch))
        else length=(--epochs "$epochs"); every=$steps_per_epoch
        fi
        extra=()
        # ipc relaxes as il does (and moves its weights as it goes): the same stable rate.
        case $rule in il | ipc) extra=(--gamma "$gamma") ;; esac
        # shellcheck disable=SC2206 # the optimizer settings are words
        command=(finetune "$file" --reinit --seed "$seed" --data "$data" --val-data "$data" --val-every "$every" "${length[@]}"
            --rule "$rule" "${extra[@]}" --loss ce $optimizer --batch-size "$batch" --verify-every 100
            --metrics "$work/$name-$rule.jsonl" -o "$work/$name-$rule.onnx")
        echo "== $name, $rule: zilonnx ${command[*]}"
        code=0
        "${zilonnx[@]}" "${command[@]}" > "$work/$name-$rule.log" 2>&1 || code=$?
        tail -1 "$work/$name-$rule.log"
        printf '%s\t%s\t%s\t%s\n' "$name" "$rule" "$code" "zilonnx ${command[*]}" >> "$manifest"
    done
done

# The page names the command that made it: the script with the settings given to it.
invocation=scripts/reproduce.sh
for setting in SEED DATA STEPS EPOCHS LIMITS MODELS RULES; do
    [ -n "${!setting:-}" ] && invocation="$setting=\"${!setting}\" $invocation"
done
dotnet run scripts/reproduce-summary.cs -- "$work" "$out" "$invocation" "${skipped[*]}"
echo "wrote $out/reproduction.md and $out/reproduction/ (runs in $work)"
