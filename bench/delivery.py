#!/usr/bin/env python3
"""Delivery figures of one benchmark run: the answers kontobot posted to the
fake Web API, matched with the events the load generator had acknowledged.

Each benchmark event (a person writing "status" or "hjälp" in a DM) gets
exactly one answer, and a person's answers are posted in the order of their
events, so the k-th acknowledged event of user U is answered by the k-th post
to U's DM ("D" + U in the fake). Prints JSON: posts delivered in the run,
delivered/s (those posts divided by the time from the run's start to the
last of them), and the time from each event's acknowledgement to its
answer's post, p50 and p99 in ms. "unmatched" counts events without a post
or posts without an event (it should be 0).
   python3 bench/delivery.py ACKS POSTS RUN_START_NS [--wait DB]
With --wait, first waits until DB's outbox has nothing pending."""
import collections
import json
import sqlite3
import sys
import time


def pending(db):
    c = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    n = c.execute("select count(*) from outbox where status = 'pending'").fetchone()[0]
    c.close()
    return n


def read(path, start_ns):
    by_key = collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            key, ns = line.split()
            if int(ns) >= start_ns:
                by_key[key].append(int(ns))
    for v in by_key.values():
        v.sort()
    return by_key


def main():
    acks_path, posts_path, start_ns = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if '--wait' in sys.argv:
        db = sys.argv[sys.argv.index('--wait') + 1]
        while pending(db) > 0:
            time.sleep(0.05)
    acks = read(acks_path, start_ns)
    posts = read(posts_path, start_ns)
    latencies = []
    unmatched = 0
    last = start_ns
    delivered = 0
    for user, times in acks.items():
        sent = posts.get('D' + user, [])
        unmatched += abs(len(times) - len(sent))
        latencies += [(p - a) / 1e6 for a, p in zip(times, sent)]
    for sent in posts.values():
        delivered += len(sent)
        last = max([last] + sent)
    unmatched += sum(len(v) for k, v in posts.items() if k[1:] not in acks)
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0

    seconds = (last - start_ns) / 1e9
    print(json.dumps({'delivered': delivered,
                      'delivered_per_s': round(delivered / seconds) if seconds > 0 else 0,
                      'p50_ms': round(pct(0.50), 1), 'p99_ms': round(pct(0.99), 1),
                      'unmatched': unmatched}))


if __name__ == '__main__':
    main()
