#!/usr/bin/env bash
# Runs every Talos test. Installs ffmpeg first when it is missing (through apt, as root), since the
# pipeline tests encode real video.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ffmpeg (apt-get)…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
  else
    echo "error: ffmpeg is missing; install it with: sudo apt-get install ffmpeg" >&2
    exit 2
  fi
fi
# The dashboard's browser test drives Debian's headless Chromium with playwright-core from npm (tests/browser).
if ! command -v chromium >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing chromium (and node) for the dashboard browser test (apt-get)…"
    pkgs="chromium chromium-driver"; command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  else
    echo "test.sh: chromium or node is missing: the dashboard browser test will be skipped" >&2
  fi
fi
if command -v npm >/dev/null 2>&1 && [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent) || echo "test.sh: npm ci failed: the dashboard browser test will be skipped" >&2
fi
dotnet build Talos.sln -c Release -v q -nologo -clp:NoSummary
# The xunit v3 test project is an executable: run it directly for a plain summary line.
dotnet tests/Talos.Tests/bin/Release/net10.0/Talos.Tests.dll -parallel collections -maxthreads 2 "$@"
