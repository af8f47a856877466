#!/usr/bin/env bash
# On a CUDA machine without .NET: unpacks bench/gpu/pack.sh's bundle and runs the kernel checks on the GPU —
# the parity tests with TALOS_PARITY_DEVICE=cuda (the same tests and tolerances as on ILGPU's simulator) and
# `talos-bench gpu` (each kernel against its CPU path at 1280×720, CUDA repeatability). Logs go to $OUT (or /tmp).
# Usage, from the repo root: bench/gpu/run.sh [PACK_DIR]   (default .gpu)
pack="$(cd "${1:-.gpu}" && pwd)"; out="${OUT:-/tmp}"
work=/tmp/talos-gpu; mkdir -p "$work" && cd "$work" && xz -dc "$pack/pack.tar.xz" | tar -xf - || exit 3
export DOTNET_ROOT="$work/dotnet" PATH="$work/dotnet:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
ldconfig -p | grep -q libicu || export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
{ date -u; nvidia-smi -L; nvidia-smi --query-gpu=driver_version,compute_cap --format=csv; dotnet --list-runtimes; } 2>&1 | tee "$out/env.log"
cd "$work/tests" && TALOS_PARITY_DEVICE=cuda timeout 300 dotnet Talos.Tests.dll \
  -class Talos.Tests.Flux.FlowParityTests -class Talos.Tests.Raygen.ShadingParityTests -class Talos.Tests.Raygen.LightDepthTests \
  -class Talos.Tests.Anima.MotionBlurTests -class Talos.Tests.Anima.CompositorParityTests -class Talos.Tests.Stokes.KernelParityTests \
  -class Talos.Tests.Stokes.EffectRendererParityTests -class Talos.Tests.Flux.FlowSorVectorTests 2>&1 | tee "$out/parity.log" | tail -40
echo "parity rc=${PIPESTATUS[0]}"
cd "$work/bench" && timeout 300 dotnet talos-bench.dll gpu 2>&1 | tee "$out/gpu.log"
echo "gpu rc=${PIPESTATUS[0]}"
