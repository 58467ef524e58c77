# Zsh completion for zilonnx: commands and options, from the program itself through System.CommandLine's
# [suggest] directive (`zilonnx "[suggest:POSITION]" "COMMAND LINE"` prints the completions at POSITION).
# Enable it with `source /path/to/zilonnx.zsh` in ~/.zshrc, after `autoload -Uz compinit && compinit`
# (docs/cli.md, "Shell completion"). Where the program suggests nothing (a model path, a value), zsh completes
# file names.

_zilonnx() {
    local line="${(j: :)words[1,CURRENT]}"
    local -a items
    items=("${(@f)$(${~words[1]} "[suggest:${#line}]" "$line" 2>/dev/null)}")
    items=(${items:#})
    if (( ${#items} )); then
        compadd -a items
    else
        _files
    fi
}

compdef _zilonnx zilonnx
