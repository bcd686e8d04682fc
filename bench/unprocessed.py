#!/usr/bin/env python3
"""Prints how many acknowledged Slack events kontobot has not processed yet:
those still in the landing file above the database's mark (store/landing.h)
plus those ready in its inbound queue. With --wait, polls until that is 0.
   python3 bench/unprocessed.py DB [--wait]"""
import os
import sqlite3
import sys
import time


def unprocessed(db):
    main = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    tables = {r[0] for r in main.execute("select name from sqlite_master where type = 'table'")}
    queued = 0
    if 'inbound_queue' in tables:
        queued = main.execute("select count(*) from inbound_queue where waiting_for = ''").fetchone()[0]
    landed = 0
    if 'inbound_landing' in tables and os.path.exists(db + '-inbound'):
        mark = main.execute('select moved_through from inbound_landing').fetchone()[0]
        landing = sqlite3.connect('file:%s-inbound?mode=ro' % db, uri=True)
        landed = landing.execute('select count(*) from landed where id > ?', (mark,)).fetchone()[0]
        landing.close()
    main.close()
    return queued + landed


if __name__ == '__main__':
    if '--wait' in sys.argv[2:]:
        while unprocessed(sys.argv[1]) > 0:
            time.sleep(0.05)
    else:
        print(unprocessed(sys.argv[1]))
