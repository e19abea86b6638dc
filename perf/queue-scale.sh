#!/usr/bin/env bash
# Wall time of one sweep run through the Redis queue with 1, 2 and 4 worker processes on this machine,
# against the same sweep run locally in one process (docs/scale-out.md).
#
#   perf/queue-scale.sh [rounds]      # default 3 rounds; needs a built dist/ and Debian's redis-server
#
# The sweep: zoo/models/resnet20 (22 layers) on the first 1,000 bundled images, prune:0.5, quant:4 and
# noise:0.5 with 2 seeds: 88 jobs. Each round runs, in this order: the local sweep (2 onnxruntime
# threads); then for W = 1, 2, 4 a fresh Redis database, W `safer worker` processes started and ready
# (1 worker: 2 threads; 2 and 4 workers: 1 thread each), and `safer sweep --queue` timed from its
# start to its exit (it prepares the model and hashes the data, as the local sweep does; the workers'
# child processes load the model and run the base model inside that time). Every queued result is
# checked against the local one, timings aside. Prints one line per run: wall time, and CPU time
# (user + system) of every process of the run (the workers' sandboxed children included), which a shared
# machine disturbs less than wall time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-3}
OUT="$(mktemp -d /tmp/safer-queue-scale.XXXXXX)"
source perf/local-redis.sh   # PORT, SAFER_REDIS_PASSWORD, a redis-server stopped on exit

ARGS=(zoo/models/resnet20/model.onnx --data zoo/bundled/images.npy --labels zoo/bundled/labels.npy --limit 1000
  --perturb prune:0.5,quant:4,noise:0.5 --seeds 2)
strip() { sed 's/"seconds":[0-9.e-]*,//' "$1"; }
cpu() { awk '{ t += $1 + $2 } END { printf "%.2f", t }' "$@"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
echo "machine: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  rm -f "$OUT/local.jsonl"
  s=$(date +%s.%N); /usr/bin/time -f '%U %S' -o "$OUT/local.cpu" node dist/cli/main.js sweep "${ARGS[@]}" --out "$OUT/local.jsonl" --quiet >/dev/null; e=$(date +%s.%N)
  echo "round $r local: $(elapsed "$s" "$e") s wall, $(cpu "$OUT/local.cpu") s CPU ($(wc -l <"$OUT/local.jsonl") jobs; load $(cut -d' ' -f1 /proc/loadavg))"
  for w in 1 2 4; do
    db=$(( (r * 10 + w) % 16 ))
    REDISCLI_AUTH="$SAFER_REDIS_PASSWORD" redis-cli -p "$PORT" -n "$db" flushdb >/dev/null
    threads=$([ "$w" -eq 1 ] && echo 2 || echo 1)
    pids=()
    for i in $(seq 1 "$w"); do
      /usr/bin/time -f '%U %S' -o "$OUT/worker-$i.cpu" node dist/cli/main.js worker --queue "redis://127.0.0.1:$PORT/$db" --threads "$threads" 2>"$OUT/worker-$i.log" >/dev/null &
      pids+=($!)
    done
    for i in $(seq 1 "$w"); do until grep -qs '^taking jobs' "$OUT/worker-$i.log"; do sleep 0.05; done; done
    rm -f "$OUT/queue.jsonl"
    s=$(date +%s.%N); /usr/bin/time -f '%U %S' -o "$OUT/queue.cpu" node dist/cli/main.js sweep "${ARGS[@]}" --queue "redis://127.0.0.1:$PORT/$db" --out "$OUT/queue.jsonl" --quiet >/dev/null; e=$(date +%s.%N)
    # SIGTERM to each worker (the node under /usr/bin/time): it finishes and reports its CPU time.
    for p in "${pids[@]}"; do kill -TERM $(pgrep -P "$p"); done; wait "${pids[@]}" || true
    same=$(cmp -s <(strip "$OUT/local.jsonl") <(strip "$OUT/queue.jsonl") && echo "rows identical to local" || echo "ROWS DIFFER")
    per=$(for i in $(seq 1 "$w"); do grep -c '^done ' "$OUT/worker-$i.log" || true; done | paste -sd/ -)
    workers_cpu=$(cpu "$OUT"/worker-*.cpu); rm -f "$OUT"/worker-*.cpu
    echo "round $r queue, $w worker(s) x $threads thread(s): $(elapsed "$s" "$e") s wall, $(cpu "$OUT/queue.cpu") s CPU enqueuer + $workers_cpu s CPU workers (jobs per worker $per; $same; load $(cut -d' ' -f1 /proc/loadavg))"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
