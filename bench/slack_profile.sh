#!/usr/bin/env bash
# Where the CPU goes per Slack event: the real kontobot binary under
# valgrind's callgrind, fed signed message.im events by bench/slack_loadgen
# (the same events as bench/slack_events.sh) while the outbox delivers the
# answers to the fake Web API. Counters are zeroed once the bot is up and
# dumped once every acknowledged event has been processed and its answer
# delivered, so the total divided by the events is the instruction count of
# one event end to end (acknowledgement, processing, delivery). Instruction
# counts do not depend on what else the machine runs, unlike wall-clock time.
#   bash bench/slack_profile.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
# Prints instructions per event and the top inclusive costs; the full
# profile stays in the printed callgrind.out file (callgrind_annotate it).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-bench}
SECONDS_OF_LOAD=${2:-20}
CONNECTIONS=${3:-4}
SECRET=bench-signing-secret
TOKEN=xoxb-bench
USERS=UGISANNA1,UGISPER01,UGISEVA01,UGISKIM01,UGISINFO1,UGISOMAR1
command -v valgrind >/dev/null || { echo "valgrind is needed"; exit 1; }

source bench/common.sh
out=${OUT:-$PWD/$BUILD/callgrind.out.slack}
rm -f "$out" "$out".*
count() { python3 -c "import sqlite3; c=sqlite3.connect('file:$work/kb.db?mode=ro', uri=True); print(c.execute(\"$1\").fetchone()[0])"; }

api_port=$(free_port)
"$BUILD/fake_slack_api" "$api_port" "$TOKEN" > "$work/fake.log" &
pids+=($!)
kb_port=$(free_port)
valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=yes \
  "$BUILD/kontobot" serve --listen "127.0.0.1:$kb_port" --db "$work/kb.db" --log-level warn \
  --slack-signing-secret "$SECRET" --slack-bot-token "$TOKEN" \
  --slack-api-base "http://127.0.0.1:$api_port/api" 2> "$work/valgrind.log" &
kb_pid=$!
pids+=($kb_pid)
for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$kb_port/healthz" && break; sleep 0.2; done
callgrind_control --zero "$kb_pid" > /dev/null
"$BUILD/slack_loadgen" 127.0.0.1 "$kb_port" /slack/events "$SECRET" "$CONNECTIONS" \
  "$SECONDS_OF_LOAD" "$USERS" > "$work/load.json"
cat "$work/load.json"
# Processed and delivered: nothing left to process (bench/unprocessed.py
# knows the builds with and without a queue) and no outbox row pending.
for _ in $(seq 1200); do
  queued=$(python3 bench/unprocessed.py "$work/kb.db")
  pending=$(count "select count(*) from outbox where status = 'pending'")
  [ "$queued" = 0 ] && [ "$pending" = 0 ] && break
  sleep 0.5
done
events=$(count "select count(*) from inbound_events")
callgrind_control --dump "$kb_pid" > /dev/null
sleep 1
kill "$kb_pid"
wait "$kb_pid" 2>/dev/null || true
dump="$out.1"  # what --dump wrote: the load alone
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1; exit}')
echo "events: $events; instructions: $total; per event: $((total / events))"
echo "profile: $dump"
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | sed -n '1,60p' | grep -E '^ *[0-9,]+ ' | head -40
