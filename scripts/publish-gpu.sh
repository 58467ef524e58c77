#!/bin/bash
# Builds zilonnx for an NVIDIA GPU into one folder (default out/zilonnx-gpu) that runs on a machine without the .NET SDK:
#
#   scripts/publish-gpu.sh              # libtorch from NuGet's CUDA package (libtorch-cuda-12.8-linux-x64, the version
#                                       # TorchSharp names): needs a NuGet feed that serves it
#   LIBTORCH=pytorch scripts/publish-gpu.sh
#                                       # no libtorch in the folder: its launcher loads the libtorch of the PyTorch
#                                       # installed where it runs (torch/lib of `python3 -c "import torch"`)
#
# Then, on the GPU machine:  out/zilonnx-gpu/zilonnx bench MODEL --device cuda ...
#                      or:   DEVICE=cuda ZILONNX=out/zilonnx-gpu/zilonnx bench/run.sh
# TorchSharp 0.107 is built against libtorch 2.10: a PyTorch of another version may load and run (2.11 has; see
# bench/README.md, On a GPU) but is not a supported pairing, and `zilonnx verify` on the machine is the check.
set -euo pipefail
cd "$(dirname "$0")/.."

LIBTORCH=${LIBTORCH:-nuget}
OUT=${OUT:-out/zilonnx-gpu}
case $LIBTORCH in
    nuget) device=cuda ;;
    pytorch) device=cpu ;;
    *) echo "error: LIBTORCH: '$LIBTORCH' is not nuget or pytorch" >&2; exit 2 ;;
esac

rm -rf "$OUT.tmp"
dotnet publish src/Cli -c Release -r linux-x64 --self-contained -p:TorchDevice=$device -o "$OUT.tmp" -v quiet -nologo

if [ "$LIBTORCH" = pytorch ]; then
    # The CPU libtorch the build brought goes: the dynamic loader then finds PyTorch's through LD_LIBRARY_PATH.
    package=$(find ~/.nuget/packages/libtorch-cpu-linux-x64 -path '*/runtimes/linux-x64/native' -type d | sort | tail -n1)
    [ -n "$package" ] || { echo "error: the libtorch-cpu-linux-x64 package is not in the NuGet cache; run the build first" >&2; exit 1; }
    for library in "$package"/*; do rm -f "$OUT.tmp/$(basename "$library")"; done
    cat >"$OUT.tmp/zilonnx-launch" <<'LAUNCH'
#!/bin/bash
# Runs zilonnx on the libtorch of the installed PyTorch (PYTHON picks the interpreter; default python3).
here=$(cd "$(dirname "$0")" && pwd)
lib=$("${PYTHON:-python3}" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null) || {
    echo "error: no PyTorch found by ${PYTHON:-python3} (\`import torch\` failed): this zilonnx loads the libtorch of an installed PyTorch; set PYTHON to an interpreter that has one" >&2
    exit 2
}
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$here/zilonnx.bin" "$@"
LAUNCH
    mv "$OUT.tmp/zilonnx" "$OUT.tmp/zilonnx.bin"
    mv "$OUT.tmp/zilonnx-launch" "$OUT.tmp/zilonnx"
    chmod +x "$OUT.tmp/zilonnx"
fi

rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
echo "$OUT/zilonnx ($LIBTORCH libtorch): $(du -sh "$OUT" | cut -f1)"
