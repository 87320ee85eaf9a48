#!/usr/bin/env bash
# A/B of two feature-store builds in alternated rounds, each round on a freshly started service.
#
#   tools/bench/features-ab.sh historical <a/main.js> <b/main.js> [rounds]
#       one 1M x 10 training set per build and round (features-bench.mjs --historical-rows 1000000)
#   tools/bench/features-ab.sh mixed <a/main.js> <b/main.js> [rounds]
#       one-entity online reads (wrk, 2 connections, 1 ms pause, 3 s): alone, then from the moment
#       a 1M-row training set's COPY shows in pg_stat_activity (Redis store; run features-bench.mjs
#       with --redis-url and --historical-rows once first, so both the keys and the mart exist)
#
# Build the other side first, e.g. `git worktree add /tmp/other <rev>`, link node_modules into it,
# `node tools/build/build-app.mjs feature-store` there. Environment: DATABASE_URL (a dedicated
# benchmark database, default postgres://postgres@127.0.0.1:5432/fs_bench_run), REDIS_URL
# (default redis://127.0.0.1:6379), PORT (default 3102). Loopback only.
set -euo pipefail
mode=${1:?mode: historical|mixed}
a=${2:?first build main.js}
b=${3:?second build main.js}
rounds=${4:-3}
db=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fs_bench_run}
redis=${REDIS_URL:-redis://127.0.0.1:6379}
port=${PORT:-3102}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap '[ -n "${svc:-}" ] && kill "$svc" 2>/dev/null; rm -rf "$work"' EXIT

start() { # $1 main.js; the Redis store only for the mixed mode
  [ -n "${svc:-}" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null || true
  local store=()
  [ "$mode" = mixed ] && store=(REDIS_URL="$redis" ONLINE_STORE_PREFIX=fsbench)
  env DATABASE_URL="$db" PORT="$port" TCP_PORT=$((port + 1000)) HTTP_HOST=127.0.0.1 LOG_LEVEL=warn "${store[@]}" \
    node "$1" >"$work/service.log" 2>&1 &
  svc=$!
  for _ in $(seq 1 60); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.5; done
  echo "service did not start: $(tail -5 "$work/service.log")" >&2
  exit 1
}

# The features-bench training set (view bench_history over dwh.mart_user_activity_daily), body discarded.
training_set() {
  node -e '
    const http = require("node:http");
    const features = Array.from({ length: 10 }, (_, i) => `bench_history:h${i}`);
    const sql = "SELECT user_id, (activity_date + 1)::timestamp AT TIME ZONE '"'UTC'"' + interval '"'12 hours'"' AS event_timestamp, orders AS label FROM dwh.mart_user_activity_daily";
    const body = JSON.stringify({ features, label_source: { sql, start: "2020-01-01T00:00:00Z", end: "2030-01-01T00:00:00Z" } });
    const req = http.request({ host: "127.0.0.1", port: process.argv[1], path: "/v1/historical-features", method: "POST", headers: { "content-type": "application/json" } }, (r) => { r.resume(); r.on("end", () => process.exit(r.statusCode === 200 ? 0 : 1)); });
    req.end(body);' "$port"
}

cat >"$work/reads.lua" <<'EOF'
local bodies = {}
for i = 1, 200 do
  bodies[i] = '{"features":["bench_features:f0","bench_features:f1","bench_features:f2","bench_features:f3","bench_features:f4","bench_features:f5","bench_features:f6","bench_features:f7","bench_features:f8","bench_features:f9"],"entities":{"bench_id":["b' .. (i * 37 % 10000) .. '"]}}'
end
local n = 0
request = function()
  n = n % #bodies + 1
  return wrk.format("POST", "/v1/online-features", { ["content-type"] = "application/json" }, bodies[n])
end
delay = function() return 1 end
done = function(summary, latency, requests)
  io.write(string.format("%d req/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
EOF
reads() { wrk -t1 -c2 -d3s -s "$work/reads.lua" "http://127.0.0.1:$port/v1/online-features" | tail -1; }

for round in $(seq 1 "$rounds"); do
  for side in a b; do
    main=$a; [ "$side" = b ] && main=$b
    start "$main"
    if [ "$mode" = historical ]; then
      echo -n "round $round $side: "
      node "$root/tools/bench/features-bench.mjs" --url "http://127.0.0.1:$port" --database-url "$db" --concurrency 2 --seconds 1 --entities 100 --historical-rows 1000000 | grep '^historical'
    else
      training_set # the session's backend warmed once, as in a running service
      echo "round $round $side alone:          $(reads)"
      training_set &
      loader=$!
      for _ in $(seq 1 300); do
        [ -n "$(psql "$db" -Atc "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'COPY (SELECT %' AND query LIKE '%fs_rows%'")" ] && break
        sleep 0.1
      done
      echo "round $round $side during the COPY: $(reads)"
      wait "$loader"
    fi
  done
done
