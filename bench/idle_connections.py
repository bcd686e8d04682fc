#!/usr/bin/env python3
"""Holds many idle or half-sent connections open against a server.

Usage: idle_connections.py HOST PORT COUNT MODE SECONDS
  MODE idle     connect and send nothing
  MODE partial  send the first half of a request's headers, then nothing
  MODE slowbody send full headers announcing a 60000-byte body, then 10 bytes
Keeps them open for SECONDS, then prints how many were still open (the
server had not closed them).
"""
import socket
import sys
import time

host, port, count, mode, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
socks = []
for _ in range(count):
    s = socket.create_connection((host, port))
    if mode == "partial":
        s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: appl")
    elif mode == "slowbody":
        s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 60000\r\n\r\n0123456789")
    s.setblocking(False)
    socks.append(s)
time.sleep(seconds)
open_count = 0
for s in socks:
    try:
        data = s.recv(1)
        if data:  # an answer (e.g. 408) means the server dealt with it
            continue
    except BlockingIOError:
        open_count += 1  # nothing to read: still open, still waiting
        continue
    except OSError:
        continue
print(f"{mode}: {open_count} of {count} connections still open after {seconds:.0f} s")
