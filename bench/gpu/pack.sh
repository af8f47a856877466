#!/usr/bin/env bash
# Bundles what the CUDA checks need onto a GPU machine that has a driver but no .NET: the .NET runtime (NETCore +
# AspNetCore shared frameworks), the Release tests (linux-x64 publish, parity classes) and the Release bench.
# Usage: bench/gpu/pack.sh [OUT_DIR]  (default .gpu at the repo root); then, on the GPU machine, from the repo root:
#   bench/gpu/run.sh [OUT_DIR]   — runs the parity tests with TALOS_PARITY_DEVICE=cuda and `talos-bench gpu`.
# Natives the checks never load (ONNX Runtime, Skia, HarfBuzz, coverage) and PDBs are left out to keep it ~50 MB.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/.gpu}"; mkdir -p "$out"
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
stage="$(mktemp -d)"; trap 'rm -rf "$stage"' EXIT
dotnet publish "$root/tests/Talos.Tests" -c Release -r linux-x64 --self-contained false -o "$stage/tests" -v q -nologo -clp:NoSummary
dotnet build "$root/bench/Talos.Bench" -c Release -v q -nologo -clp:NoSummary
mkdir -p "$stage/bench" "$stage/dotnet/shared"
(cd "$root/bench/Talos.Bench/bin/Release/net10.0" && tar -cf - --exclude=./runtimes --exclude='*.pdb' .) | (cd "$stage/bench" && tar -xf -)
mkdir -p "$stage/bench/runtimes" && cp -a "$root/bench/Talos.Bench/bin/Release/net10.0/runtimes/linux-x64" "$stage/bench/runtimes/"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$stage/dotnet/"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$stage/dotnet/shared/"
find "$stage" \( -name 'libonnxruntime*.so' -o -name libSkiaSharp.so -o -name libHarfBuzzSharp.so -o -name '*.pdb' \) -delete
rm -rf "$stage/tests/CodeCoverage" "$stage/tests/alpine" "$stage/tests/macos" "$stage/tests/ubuntu"
(cd "$stage" && tar -cf - dotnet tests bench) | xz -9 -T2 > "$out/pack.tar.xz"
cp "$root/bench/gpu/run.sh" "$out/"
ls -la "$out"
