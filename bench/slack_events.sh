#!/usr/bin/env bash
# Benchmark: signed Slack message.im events against the real kontobot binary,
# and the same events against a minimal Slack Bolt for JavaScript app that
# only acknowledges. Load: bench/slack_loadgen.cc, keep-alive connections,
# one request in flight per connection. Prints a Markdown table of medians.
#
# kontobot acknowledges an event once it is durably in its landing file (one
# transaction and one fdatasync for every event that arrived meanwhile, on a
# connection of its own) and processes it behind the acknowledgement (moved
# into the inbound queue, engine, the answer, an outbox row: many events per
# transaction). So two rates are reported, never one for the other:
#   ack events/s  - acknowledged (durably queued) per second during the run;
#   processed/s   - events acknowledged in the run divided by the time from
#                   the run's start until the queue had drained;
#   delivered/s   - answers posted to the fake Web API in the run divided by
#                   the time from the run's start to the last of them, and
#                   the time from an event's acknowledgement to its answer's
#                   post, p50 and p99 (bench/delivery.py).
#   bash bench/slack_events.sh [SECONDS_PER_RUN] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
RUNS=${2:-3}
SECRET=bench-signing-secret
TOKEN=xoxb-bench
USERS=UGISANNA1,UGISPER01,UGISEVA01,UGISKIM01,UGISINFO1,UGISOMAR1

[ -n "${BENCH_BUILD:-}" ] || bash scripts/deps.sh
# BENCH_NO_BOLT=1 measures kontobot only (e.g. to compare two builds).
NO_BOLT=${BENCH_NO_BOLT:-}
[ -n "$NO_BOLT" ] || command -v node >/dev/null || { echo "node is needed for the Bolt comparison"; exit 1; }
# BENCH_BUILD=dir uses binaries already built there instead (e.g. build-test);
# BENCH_KONTOBOT=path runs that kontobot binary instead (e.g. another branch's).
B=${BENCH_BUILD:-build-bench}
if [ -z "${BENCH_BUILD:-}" ]; then
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build build-bench --target kontobot slack_loadgen fake_slack_api -j"$(nproc)" >/dev/null
fi
[ -n "$NO_BOLT" ] || (cd bench/bolt && [ -d node_modules/@slack/bolt ] || npm ci --no-audit --no-fund --silent)

source bench/common.sh

api_port=$(free_port)
"$B/fake_slack_api" "$api_port" "$TOKEN" "$work/posts" > "$work/fake.log" &
pids+=($!)

declare -A result
# Events stored so far (0 for Bolt, which stores nothing).
stored_events() {
  [ "$1" = kontobot ] || { echo 0; return; }
  python3 -c "import sqlite3; c=sqlite3.connect('file:$work/kontobot.db?mode=ro', uri=True); print(c.execute('select count(*) from inbound_events').fetchone()[0])"
}
# Waits until kontobot has processed every event it acknowledged.
wait_drained() {
  [ "$1" = kontobot ] || return 0
  python3 bench/unprocessed.py "$work/kontobot.db" --wait
}
run_target() {  # name port
  local name=$1 port=$2 conns
  for conns in 16 64; do
    : > "$work/$name-$conns"
    : > "$work/$name-$conns-processed"
    : > "$work/$name-$conns-delivery"
    for _ in $(seq "$RUNS"); do
      local before start end after
      before=$(stored_events "$name")
      : > "$work/acks"
      start=$(date +%s.%N)
      SLACK_LOADGEN_ACKS="$work/acks" \
        "$B/slack_loadgen" 127.0.0.1 "$port" /slack/events "$SECRET" "$conns" "$SECONDS_PER_RUN" "$USERS" \
        >> "$work/$name-$conns"
      wait_drained "$name"
      end=$(date +%s.%N)
      after=$(stored_events "$name")
      python3 -c "print(round(($after - $before) / ($end - $start)))" >> "$work/$name-$conns-processed"
      if [ "$name" = kontobot ]; then
        python3 bench/delivery.py "$work/acks" "$work/posts" "${start/./}" --wait "$work/kontobot.db" \
          >> "$work/$name-$conns-delivery"
      fi
    done
    result[$name,$conns,processed]=$(median < "$work/$name-$conns-processed")
    for field in rps p50_ms p99_ms errors; do
      result[$name,$conns,$field]=$(python3 -c "import json,sys; print('\n'.join(str(json.loads(l)['$field']) for l in open('$work/$name-$conns')))" | median)
    done
    for field in delivered_per_s p50_ms p99_ms unmatched; do
      result[$name,$conns,d_$field]=$( [ -s "$work/$name-$conns-delivery" ] &&
        python3 -c "import json,sys; print('\n'.join(str(json.loads(l)['$field']) for l in open('$work/$name-$conns-delivery')))" | median || echo –)
    done
  done
}

# kontobot
kb_port=$(free_port)
"${BENCH_KONTOBOT:-$B/kontobot}" serve --listen "127.0.0.1:$kb_port" --db "$work/kontobot.db" --log-level warn \
  --slack-signing-secret "$SECRET" --slack-bot-token "$TOKEN" --slack-api-base "http://127.0.0.1:$api_port/api" &
kb_pid=$!
pids+=($kb_pid)
wait_http "http://127.0.0.1:$kb_port/healthz"
run_target kontobot "$kb_port"
kb_rss=$(peak_rss_mb "$kb_pid")
kb_rows=$(python3 -c "import sqlite3; c=sqlite3.connect('$work/kontobot.db'); print(c.execute('select count(*) from inbound_events').fetchone()[0])")
# Stop kontobot before Bolt's turn: its outbox may still be delivering the
# answers, and Bolt must not share the cores with that.
kill "$kb_pid"; wait "$kb_pid" 2>/dev/null || true

# Bolt
if [ -z "$NO_BOLT" ]; then
  bolt_port=$(free_port)
  (cd bench/bolt && PORT=$bolt_port SLACK_SIGNING_SECRET=$SECRET exec node app.js > "$work/bolt.log") &
  bolt_pid=$!
  pids+=($bolt_pid)
  sleep 1
  for _ in $(seq 100); do grep -q listening "$work/bolt.log" && break; sleep 0.1; done
  run_target bolt "$bolt_port"
  bolt_rss=$(peak_rss_mb "$bolt_pid")
fi

echo
echo "Signed message.im events, ${SECONDS_PER_RUN} s per run, median of ${RUNS} runs, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)):"
echo
echo "| server | connections | ack events/s | p50 ms | p99 ms | errors | processed/s | delivered/s | ack→delivery p50 / p99 ms | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for c in 16 64; do
  echo "| kontobot (durable queue; engine + outbox behind it) | $c | ${result[kontobot,$c,rps]} | ${result[kontobot,$c,p50_ms]} | ${result[kontobot,$c,p99_ms]} | ${result[kontobot,$c,errors]} | ${result[kontobot,$c,processed]} | ${result[kontobot,$c,d_delivered_per_s]} | ${result[kontobot,$c,d_p50_ms]} / ${result[kontobot,$c,d_p99_ms]} | ${kb_rss} MB |"
done
[ -n "$NO_BOLT" ] || for c in 16 64; do
  echo "| Bolt for JavaScript (acknowledge only) | $c | ${result[bolt,$c,rps]} | ${result[bolt,$c,p50_ms]} | ${result[bolt,$c,p99_ms]} | ${result[bolt,$c,errors]} | – | – | – | ${bolt_rss} MB |"
done
echo
echo "kontobot stored ${kb_rows} events; processed/s counts from a run's start until its queue drained."
echo "Answers not matched with an event (should be 0): 16: ${result[kontobot,16,d_unmatched]}, 64: ${result[kontobot,64,d_unmatched]}."
