#!/usr/bin/env bash
# What a thousand idle or half-sent connections do to the service of honest
# requests: the Slack event load (bench/slack_loadgen.cc, 16 connections)
# is measured alone, then while bench/idle_connections.py holds 1000 idle,
# 1000 half-sent-header and 1000 slow-body connections open.
#   bash bench/connections.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
SECRET=bench-signing-secret
TOKEN=xoxb-bench
USERS=UGISANNA1,UGISPER01,UGISEVA01,UGISKIM01,UGISINFO1,UGISOMAR1
bash scripts/deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-bench --target kontobot slack_loadgen fake_slack_api -j"$(nproc)" >/dev/null
ulimit -n 8192 || true

source bench/common.sh

api_port=$(free_port)
build-bench/fake_slack_api "$api_port" "$TOKEN" > /dev/null &
pids+=($!)
port=$(free_port)
build-bench/kontobot serve --listen "127.0.0.1:$port" --db "$work/kontobot.db" --log-level error \
  --slack-signing-secret "$SECRET" --slack-bot-token "$TOKEN" --slack-api-base "http://127.0.0.1:$api_port/api" &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done

# Each condition starts once the events of the one before are processed:
# processing behind the acknowledgements would otherwise take the cores
# from the next condition's load.
drained() { python3 bench/unprocessed.py "$work/kontobot.db" --wait; }
load() { build-bench/slack_loadgen 127.0.0.1 "$port" /slack/events "$SECRET" 16 "$SECONDS_PER_RUN" "$USERS"; }
echo "| condition | events/s | p50 ms | p99 ms | errors | held connections still open afterwards |"
echo "|---|---|---|---|---|---|"
row() { python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(f\"| $1 | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} | {r['errors']} | $2 |\")" "$3"; }
row "alone" "–" "$(load)"
for mode in idle partial slowbody; do
  drained
  python3 bench/idle_connections.py 127.0.0.1 "$port" 1000 "$mode" $((SECONDS_PER_RUN + 5)) > "$work/$mode.out" &
  holder=$!
  sleep 3
  result=$(load)
  wait "$holder"
  row "with 1000 $mode connections" "$(cut -d: -f2 "$work/$mode.out" | xargs)" "$result"
done
