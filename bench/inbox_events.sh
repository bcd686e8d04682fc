#!/usr/bin/env bash
# Benchmark: signed Meta Page comments at POST /hooks/meta against the real
# kontobot binary, and, in the same run as the comparison point, signed
# Slack message.im events at /slack/events (bench/slack_events.sh's load).
# Load: bench/slack_loadgen.cc (PATH /hooks/meta switches it to Meta
# comments: a new comment id per request, X-Hub-Signature-256 over the
# body), keep-alive connections, one request in flight per connection.
#
# kontobot answers a delivery once its comment is durably in the landing
# file (the signature checked over the raw body first), and processes it
# behind the answer: into the inbound queue, stored as the record
# (inbox_items), shown to the account's administrators (gathered with the
# account's other new comments of the last two minutes), its answer wait
# started, and flagged if it holds an identity number or a word-list hit.
# Two rates, never one for the other:
#   accepted/s  - deliveries answered 200 (durably landed) per second;
#   processed/s - items stored in inbox_items during the run divided by the
#                 time from the run's start until the queue had drained.
# The comments go to ACCOUNTS listed Dalarna accounts, one page each, in
# turn, as a busy organisation's pages would get them.
#   bash bench/inbox_events.sh [SECONDS_PER_RUN] [RUNS] [ACCOUNTS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-5}
RUNS=${2:-3}
ACCOUNTS=${3:-100}
APP_SECRET=bench-meta-app-secret
SECRET=bench-signing-secret
TOKEN=xoxb-bench
USERS=UGISANNA1,UGISPER01,UGISEVA01,UGISKIM01,UGISINFO1,UGISOMAR1

# BENCH_BUILD=dir uses binaries already built there (e.g. build);
# BENCH_KONTOBOT=path runs that kontobot binary instead.
B=${BENCH_BUILD:-build-bench}
if [ -z "${BENCH_BUILD:-}" ]; then
  bash scripts/deps.sh
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build build-bench --target kontobot slack_loadgen fake_slack_api -j"$(nproc)" >/dev/null
fi

source bench/common.sh
count() { python3 -c "import sqlite3; c=sqlite3.connect('file:$work/kontobot.db?mode=ro', uri=True); print(c.execute('select count(*) from $1').fetchone()[0])"; }

api_port=$(free_port)
"$B/fake_slack_api" "$api_port" "$TOKEN" "$work/posts" > "$work/fake.log" &
pids+=($!)

kb_port=$(free_port)
"${BENCH_KONTOBOT:-$B/kontobot}" serve --listen "127.0.0.1:$kb_port" --db "$work/kontobot.db" --log-level warn \
  --meta-app-secret "$APP_SECRET" --meta-verify-token bench-verify-token \
  --slack-signing-secret "$SECRET" --slack-bot-token "$TOKEN" --slack-api-base "http://127.0.0.1:$api_port/api" &
kb_pid=$!
pids+=($kb_pid)
wait_http "http://127.0.0.1:$kb_port/healthz"

# ACCOUNTS listed accounts administered by Johan and Sara, page 9000000000+i.
pages=$(python3 - "$work/kontobot.db" "$ACCOUNTS" <<'PY'
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db, timeout=10)
t = '2026-03-02T09:00:00.000Z'
admins = '[{"name":"Johan Berg","email":"johan.berg@ltdalarna.se"},{"name":"Sara Nyström","email":"sara.nystrom@ltdalarna.se"}]'
c.execute("INSERT OR IGNORE INTO persons(id, name, org, first_seen) VALUES ('dal-karin', 'Karin Dahl', 'dalarna', ?)", (t,))
pages = []
for i in range(1, n + 1):
    c.execute("INSERT INTO drafts(id, person_id, org, template_id, template_version, status, state, created_at, updated_at) VALUES (?, 'dal-karin', 'dalarna', 'dalarna', 1, 'submitted', '{}', ?, ?)", (i, t, t))
    c.execute("INSERT INTO registrations(id, person_id, org, template_id, template_version, answers, status, submitted_at) VALUES (?, 'dal-karin', 'dalarna', 'dalarna', 1, '{}', 'approved', ?)", (i, t))
    c.execute("INSERT INTO accounts(registration_id, org, medium, url, unit, purpose, administrators, approvals, status, registered_at, listed_at) VALUES (?, 'dalarna', 'Facebook', ?, 'Folktandvården', 'Information', ?, '[]', 'listed', ?, ?)", (i, 'www.facebook.com/konto%d' % i, admins, t, t))
    page = str(9000000000 + i)
    c.execute("INSERT INTO account_pages(page_id, registration_id, set_by, set_at) VALUES (?, ?, 'bench', ?)", (page, i, t))
    pages.append(page)
c.commit()
print(','.join(pages))
PY
)

declare -A result
run() {  # name path secret ids table
  local name=$1 path=$2 secret=$3 ids=$4 table=$5 conns
  for conns in 16 64; do
    : > "$work/$name-$conns"
    : > "$work/$name-$conns-processed"
    for _ in $(seq "$RUNS"); do
      local before start end after
      before=$(count "$table")
      start=$(date +%s.%N)
      "$B/slack_loadgen" 127.0.0.1 "$kb_port" "$path" "$secret" "$conns" "$SECONDS_PER_RUN" "$ids" \
        >> "$work/$name-$conns"
      python3 bench/unprocessed.py "$work/kontobot.db" --wait
      end=$(date +%s.%N)
      after=$(count "$table")
      python3 -c "print(round(($after - $before) / ($end - $start)))" >> "$work/$name-$conns-processed"
    done
    result[$name,$conns,processed]=$(median < "$work/$name-$conns-processed")
    for field in rps p50_ms p99_ms errors; do
      result[$name,$conns,$field]=$(python3 -c "import json; print('\n'.join(str(json.loads(l)['$field']) for l in open('$work/$name-$conns')))" | median)
    done
  done
}

run meta /hooks/meta "$APP_SECRET" "$pages" inbox_items
run slack /slack/events "$SECRET" "$USERS" inbound_events
kb_rss=$(peak_rss_mb "$kb_pid")
items=$(count inbox_items)

echo
echo "Signed Meta comments (${ACCOUNTS} accounts) and Slack message.im events, one kontobot, ${SECONDS_PER_RUN} s per run, median of ${RUNS} runs, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)):"
echo
echo "| load | connections | accepted/s | p50 ms | p99 ms | errors | processed/s |"
echo "|---|---|---|---|---|---|---|"
for c in 16 64; do
  echo "| Meta comments at /hooks/meta | $c | ${result[meta,$c,rps]} | ${result[meta,$c,p50_ms]} | ${result[meta,$c,p99_ms]} | ${result[meta,$c,errors]} | ${result[meta,$c,processed]} |"
done
for c in 16 64; do
  echo "| Slack events at /slack/events (comparison) | $c | ${result[slack,$c,rps]} | ${result[slack,$c,p50_ms]} | ${result[slack,$c,p99_ms]} | ${result[slack,$c,errors]} | ${result[slack,$c,processed]} |"
done
echo
echo "kontobot stored ${items} inbox items; peak RSS ${kb_rss} MB."
