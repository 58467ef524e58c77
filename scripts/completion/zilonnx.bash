# Bash completion for zilonnx: commands and options, from the program itself through System.CommandLine's
# [suggest] directive (`zilonnx "[suggest:POSITION]" "COMMAND LINE"` prints the completions at POSITION).
# Enable it with `source /path/to/zilonnx.bash`, e.g. from ~/.bashrc (docs/cli.md, "Shell completion").
# Where the program suggests nothing (a model path, a value), bash completes file names.

_zilonnx_complete() {
    local IFS=$'\n' word="${COMP_WORDS[COMP_CWORD]}" item
    local -a items
    # The program proposes every completion that *contains* the word; bash replaces the word, so keep those
    # that start with it.
    items=($("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
    COMPREPLY=()
    for item in "${items[@]}"; do
        [[ -n $item && $item == "$word"* ]] && COMPREPLY+=("$item")
    done
}

complete -o bashdefault -o default -F _zilonnx_complete zilonnx
