#!/usr/bin/env bash
# What the Redis queue adds per job (docs/scale-out.md): sweeps whose jobs cost almost nothing, run locally
# and through the queue with one worker, at two sizes; the per-job overhead is the queue's extra time per
# extra job, which takes out every fixed cost (start-up, model preparation, base run, connections).
#
#   perf/queue-overhead.sh [rounds]      # default 3; needs a built dist/ and Debian's redis-server
#
# The jobs: the bundled model on 300 images, bitflip:1e-12 with S seeds (5 layers × S jobs). At that bit
# error rate no bit flips, so a job perturbs the weights, finds them unchanged and takes the base logits:
# no onnxruntime session, a few milliseconds. S = 20 and 80 give 100 and 400 jobs. One worker with 2
# threads, started and ready before the sweep is timed; every queued result is checked against the local
# one, timings aside.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-3}
OUT="$(mktemp -d /tmp/safer-queue-overhead.XXXXXX)"
source perf/local-redis.sh   # PORT, SAFER_REDIS_PASSWORD, a redis-server stopped on exit

strip() { sed 's/"seconds":[0-9.e-]*,//' "$1"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
args() { echo zoo/bundled/model.onnx --data zoo/bundled/images.npy --labels zoo/bundled/labels.npy --limit 300 --perturb bitflip:1e-12 --seeds "$1"; }
echo "machine: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  declare -A T=()
  for seeds in 20 80; do
    rm -f "$OUT/local.jsonl"
    s=$(date +%s.%N); node dist/cli/main.js sweep $(args "$seeds") --out "$OUT/local.jsonl" --quiet >/dev/null; e=$(date +%s.%N)
    T[local$seeds]=$(elapsed "$s" "$e")
    db=$(( (r * 2 + seeds / 80) % 16 ))
    REDISCLI_AUTH="$SAFER_REDIS_PASSWORD" redis-cli -p "$PORT" -n "$db" flushdb >/dev/null
    node dist/cli/main.js worker --queue "redis://127.0.0.1:$PORT/$db" --threads 2 2>"$OUT/worker.log" >/dev/null &
    pid=$!
    until grep -qs '^taking jobs' "$OUT/worker.log"; do sleep 0.05; done
    rm -f "$OUT/queue.jsonl"
    s=$(date +%s.%N); node dist/cli/main.js sweep $(args "$seeds") --queue "redis://127.0.0.1:$PORT/$db" --out "$OUT/queue.jsonl" --quiet >/dev/null; e=$(date +%s.%N)
    kill -TERM "$pid"; wait "$pid" || true
    T[queue$seeds]=$(elapsed "$s" "$e")
    cmp -s <(strip "$OUT/local.jsonl") <(strip "$OUT/queue.jsonl") || echo "round $r: ROWS DIFFER at $seeds seeds"
  done
  awk -v l1="${T[local20]}" -v l2="${T[local80]}" -v q1="${T[queue20]}" -v q2="${T[queue80]}" -v r="$r" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
    printf "round %d: local %.2f s (100 jobs) %.2f s (400 jobs); queue %.2f s / %.2f s; per extra job: local %.1f ms, queue %.1f ms, overhead %.1f ms (load %s)\n",
      r, l1, l2, q1, q2, 1000 * (l2 - l1) / 300, 1000 * (q2 - q1) / 300, 1000 * ((q2 - q1) - (l2 - l1)) / 300, load }'
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
