#!/usr/bin/env bash
# A studio pipeline in curl: upload two keyframe drawings and a palette to a Talos seed, submit a shot spec that
# names the drawings by content hash, follow its progress over server-sent events, and download the MP4.
#
#   TALOS_URL=http://127.0.0.1:8080 TALOS_TOKEN=… examples/pipeline.sh [OUT.mp4]
#
# TALOS_URL and TALOS_TOKEN may come from a farm: `talos farm up` writes both to DIR/farm.json. SHOT_ID names the
# shot (default drawn-01; submitting the same id again returns the same shot). Needs curl, sed and bash only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
url=${TALOS_URL:?set TALOS_URL to the seed API, e.g. http://127.0.0.1:8080}
token=${TALOS_TOKEN:?set TALOS_TOKEN to a pipeline or operator token}
out=${1:-pipeline.mp4}
id=${SHOT_ID:-drawn-01}
auth="Authorization: Bearer $token"

# The value of one string (or number) field in a one-line JSON answer.
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }

upload() {  # FILE -> content hash
  curl -sS --fail-with-body -H "$auth" -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$url/api/v1/assets" | field hash
}
key0=$(upload "$here/pipeline/key-000.png")
key1=$(upload "$here/pipeline/key-010.png")
palette=$(upload "$here/pipeline/palette.json")
echo "assets: $key0 $key1 palette $palette"

shot=$(sed -e "s/@KEY0@/$key0/" -e "s/@KEY1@/$key1/" -e "s/@ID@/$id/" "$here/pipeline/shot.json" |
  curl -sS --fail-with-body -H "$auth" -H 'Content-Type: application/json' --data-binary @- "$url/api/v1/shots?palette=$palette" | field key)
echo "submitted: $shot"

# Server-sent events until the shot is completed, failed or cancelled (the per-shot stream then ends).
status=""
while IFS= read -r line; do
  case $line in
    data:*)
      status=$(printf '%s\n' "$line" | field status)
      progress=$(printf '%s\n' "$line" | field progress)
      echo "progress: $status $progress"
      ;;
  esac
done < <(curl -sS -N --fail-with-body -H "$auth" -H 'Accept: text/event-stream' "$url/api/v1/shots/$shot/events")

if [ "$status" != "completed" ]; then
  echo "shot $shot ended $status:" >&2
  curl -sS -H "$auth" "$url/api/v1/shots/$shot" >&2; echo >&2
  exit 1
fi
curl -sS --fail-with-body -H "$auth" -o "$out" "$url/api/v1/shots/$shot/video"
echo "video: $out"
