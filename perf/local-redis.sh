# Sourced by the queue perf scripts (with OUT set): a password-protected redis-server on a free loopback
# port, data in $OUT, stopped and $OUT removed on exit. Sets PORT and SAFER_REDIS_PASSWORD.
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
export SAFER_REDIS_PASSWORD="perf-$RANDOM$RANDOM"
redis-server --port "$PORT" --bind 127.0.0.1 --requirepass "$SAFER_REDIS_PASSWORD" --save '' --appendonly no \
  --maxmemory-policy noeviction --dir "$OUT" --daemonize yes --pidfile "$OUT/redis.pid" --logfile "$OUT/redis.log"
until [ -s "$OUT/redis.pid" ] && REDISCLI_AUTH="$SAFER_REDIS_PASSWORD" redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG; do sleep 0.1; done
REDIS_PID=$(cat "$OUT/redis.pid")
trap 'kill "$REDIS_PID" 2>/dev/null || true; while kill -0 "$REDIS_PID" 2>/dev/null; do sleep 0.05; done; rm -rf "$OUT"' EXIT
