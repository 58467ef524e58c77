#!/usr/bin/env bash
# Installs Debian packages when they are missing: the ones named as arguments, or by default those the tests
# read their data from or launch:
#   libonnx-testdata       the ONNX backend conformance suite (/usr/share/libonnx-testdata/data)
#   dataset-fashion-mnist  Fashion-MNIST (/usr/share/datasets/fashion-mnist)
#   openmpi-bin            Open MPI's mpirun and (through libopenmpi3) libmpi.so.40, for `--distributed mpi`
#                          and its 2-rank tests on loopback
#   time                   GNU time, which measures the peak memory of the fault runs (tests/ZilOnnx.Tests/Robustness)
# As root it installs them; otherwise it says what to install and leaves the choice to the user.
set -euo pipefail

packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(libonnx-testdata dataset-fashion-mnist openmpi-bin time)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0 # all present: skip apt entirely, it is the slow part of a CI run
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages (tests and the demo that need them will fail). Install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 0
fi

echo "Installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
