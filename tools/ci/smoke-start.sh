#!/usr/bin/env bash
# Smoke run of the README's start command on the embedded default: `npm start` brings up PostgreSQL,
# four ready services that call each other and the console; Ctrl-C (SIGINT to the process group) stops them all
# with nothing left running; a second start on the same data directory works too.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
log=$(mktemp)
group=""
cleanup() {
  # Whatever happened, leave nothing running behind this script.
  if [ -n "$group" ]; then kill -KILL -- -"$group" 2>/dev/null || true; fi
  rm -f "$log"
}
trap cleanup EXIT

leftovers() {
  pgrep -af "$root/dist/apps/|$root/.data/postgres" | grep -v pgrep || true
}

run_once() {
  local attempt=$1
  : >"$log"
  setsid env -u DATABASE_URL -u NATS_URL -u REDIS_URL PLATFORM_DEMO=off npm start >"$log" 2>&1 &
  local pid=$!
  group=$pid
  local deadline=$((SECONDS + 300))
  until grep -q 'all services are ready' "$log"; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
      echo "smoke ($attempt): npm start did not get ready"; tail -50 "$log"; kill -KILL -- -"$pid" 2>/dev/null || true; exit 1
    fi
    sleep 1
  done
  echo "smoke ($attempt): all four services and the console ready"
  local peers
  peers=$(curl -fsS -H 'x-request-id: smoke-trace-1' http://127.0.0.1:3004/v1/platform/peers)
  node -e '
    const r = JSON.parse(process.argv[1]);
    const bad = r.peers.filter((p) => p.status !== "up" || p.info.requestId !== "smoke-trace-1");
    if (r.peers.length !== 3 || bad.length) { console.error("peers not all up with the request id:", JSON.stringify(r)); process.exit(1); }
    console.log("smoke: model-serving reached " + r.peers.map((p) => p.name).join(", ") + " over the transport with the request id");
  ' "$peers"
  grep -q 'the console (web UI): http://127.0.0.1:3005' "$log" || { echo "smoke: npm start did not print the console URL"; exit 1; }
  local page overview
  page=$(curl -fsS http://127.0.0.1:3005/)
  [[ "$page" == *'<div id="root">'* ]] || { echo "smoke: the console did not serve its page"; exit 1; }
  overview=$(curl -fsS http://127.0.0.1:3005/api/overview)
  [[ "$overview" == *'"items"'* ]] || { echo "smoke: the console overview did not answer"; exit 1; }
  for port in 3001 3002 3003 3004 3005; do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null
    metrics=$(curl -fsS "http://127.0.0.1:$port/metrics")
    [[ "$metrics" == *http_request_duration_seconds* ]] || { echo "smoke: no HTTP histogram on :$port/metrics"; exit 1; }
    curl -fsS "http://127.0.0.1:$port/openapi.json" >/dev/null
  done
  kill -INT -- -"$pid"
  local stop_deadline=$((SECONDS + 60))
  # Wait for the whole process group (npm, the runner, services, PostgreSQL), not just npm.
  while pgrep -g "$pid" >/dev/null 2>&1; do
    if ((SECONDS > stop_deadline)); then echo "smoke ($attempt): npm start did not stop"; tail -30 "$log"; exit 1; fi
    sleep 0.5
  done
  sleep 1
  local left
  left=$(leftovers)
  if [ -n "$left" ]; then echo "smoke ($attempt): processes left behind:"; echo "$left"; exit 1; fi
  group=
  grep -q '\[platform\].*stopped' "$log" || { echo "smoke ($attempt): no clean stop in the log"; tail -30 "$log"; exit 1; }
  echo "smoke ($attempt): stopped cleanly, no process left"
}

run_once first
run_once second
echo "smoke: npm start works, twice, on the embedded default"
