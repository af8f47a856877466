#!/usr/bin/env bash
# Runs CMD… and reports the peak resident memory of its whole process tree (the command, and everything it spawns:
# a render's ffmpeg encoders, their children), sampled from /proc every PEAK_RSS_INTERVAL seconds (default 0.5):
#   ./bench/peak-rss.sh ./talos render examples/lighthouse.fountain --width 3840 --height 2160 --delivery hdr10 --out f.mp4
# On standard error when the command ends: the largest SUMMED VmRSS of the tree at one sample (with what each process held
# then), the largest single process (what `/usr/bin/time -v` calls maximum resident set size is the same figure, taken by
# the kernel at every page rather than sampled) and the number of samples. PEAK_RSS_LOG=FILE also writes every sample
# ("seconds summedKiB pid:comm:KiB …"), so the peak can be placed in the render. The command's exit status is returned.
# Summed RSS counts pages two processes share (the runtime's code, libraries) once per process: an upper bound of what
# the tree needs, which is what a limit of "talos + ffmpeg within 4 GB" is judged by.
set -uo pipefail
if [[ $# -eq 0 ]]; then
  echo "usage: bench/peak-rss.sh CMD [ARG…]   (PEAK_RSS_INTERVAL=0.5, PEAK_RSS_LOG=FILE)" >&2
  exit 2
fi
interval="${PEAK_RSS_INTERVAL:-0.5}"
log="${PEAK_RSS_LOG:-}"
"$@" &
root=$!
start=$(date +%s.%N)
max_sum=0 max_sum_at="" max_sum_procs="" max_one=0 max_one_proc="" samples=0
[[ -n "$log" ]] && : >"$log"

# one sample: "summedKiB largestKiB largestProc procs…" for root and all its descendants (pids whose parent chain
# reaches root), from one `ps` listing
sample() {
  ps -e -o pid=,ppid=,rss=,comm= 2>/dev/null | awk -v root="$root" '
    { parent[$1] = $2; mem[$1] = $3; name[$1] = $4 }
    END {
      sum = 0; one = 0; oneproc = ""; procs = ""
      for (p in parent) {
        q = p
        while (q != "" && q != 0 && q != 1 && q != root) q = parent[q]
        if (q != root) continue
        sum += mem[p]; procs = procs " " p ":" name[p] ":" mem[p]
        if (mem[p] > one) { one = mem[p]; oneproc = p ":" name[p] }
      }
      print sum, one, (oneproc == "" ? "none" : oneproc) procs
    }'
}

while kill -0 "$root" 2>/dev/null; do
  read -r sum one oneproc procs <<<"$(sample)"
  now=$(date +%s.%N)
  t=$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
  samples=$((samples + 1))
  [[ -n "$log" ]] && echo "$t $sum $oneproc:$one $procs" >>"$log"
  if ((sum > max_sum)); then max_sum=$sum max_sum_at=$t max_sum_procs=$procs; fi
  if ((one > max_one)); then max_one=$one max_one_proc=$oneproc; fi
  sleep "$interval"
done
wait "$root"
rc=$?
gib() { awk -v k="$1" 'BEGIN { printf "%.2f GB = %.2f GiB (%d MiB)", k * 1024 / 1e9, k / 1048576, k / 1024 }'; }
{
  echo "peak-rss: summed RSS of the process tree, max $(gib "$max_sum") at ${max_sum_at:-?} s:${max_sum_procs}"
  echo "peak-rss: largest single process, max $(gib "$max_one") (${max_one_proc:-none})"
  end=$(date +%s.%N)
  echo "peak-rss: $samples samples in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s (every ${interval} s plus the time \`ps\` takes); exit status $rc"
} >&2
exit "$rc"
