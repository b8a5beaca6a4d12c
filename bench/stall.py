#!/usr/bin/env python3
"""Stalled readers for bench/proxy.sh, scenario (c).

Opens COUNT connections to HOST:PORT, sends one GET PATH on each (with the given extra header lines), then reads
nothing for HOLD seconds (measured from the start), with a tiny receive buffer so the server's writes back up at once.
Every 0.5 s it looks at each socket's TCP state (TCP_INFO, no bytes consumed) and notes when the server closed it:
FIN -> CLOSE_WAIT, RST -> CLOSE. At the end it peeks (MSG_PEEK, nothing consumed) at the status line, closes
everything and prints one RESULT line. Every step has a deadline, so this can never outlive HOLD by much.

Usage: stall.py HOST PORT PATH COUNT HOLD_SECONDS [Header: value ...]
Prints "SENT ..." once all requests are out (the caller waits for that line), then "RESULT key=value ...".
"""
import fcntl
import socket
import struct
import sys
import termios
import time

TCP_INFO = getattr(socket, "TCP_INFO", 11)
ESTABLISHED, CLOSE, CLOSE_WAIT = 1, 7, 8
RCVBUF = 4096          # the kernel doubles it; the server sees a nearly closed window from the first bytes on
CONNECT_PHASE_MAX = 20.0  # seconds for opening all connections, whatever the server does


def tcp_state(s):
    try:
        return s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 8)[0]
    except OSError:
        return -1


def queued(s):
    try:
        return struct.unpack("i", fcntl.ioctl(s.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]
    except OSError:
        return 0


def status_of(s):
    try:
        head = s.recv(12, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return "none"
    except OSError:
        return "reset"
    if not head:
        return "eof"
    parts = head.split(b" ")
    return parts[1].decode("ascii", "replace") if len(parts) > 1 and head.startswith(b"HTTP/") else "garbage"


def main():
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    count, hold = int(sys.argv[4]), float(sys.argv[5])
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\n" % (path, host, port)
           + "".join(h + "\r\n" for h in sys.argv[6:]) + "\r\n").encode()
    t0 = time.monotonic()
    socks, failed = [], 0
    for _ in range(count):
        if time.monotonic() - t0 > CONNECT_PHASE_MAX:
            failed += 1
            continue
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        s.settimeout(5)
        try:
            s.connect((host, port))
            s.sendall(req)
            s.setblocking(False)  # a timeout socket would poll() up to 5 s in each peek below
            socks.append(s)
        except OSError:
            failed += 1
            s.close()
    print("SENT opened=%d failed=%d in %.1fs" % (len(socks), failed, time.monotonic() - t0), flush=True)

    closed = {}  # index -> (seconds since start, state)
    deadline = t0 + hold
    while time.monotonic() < deadline:
        now = time.monotonic() - t0
        for i, s in enumerate(socks):
            if i not in closed:
                st = tcp_state(s)
                if st != ESTABLISHED:
                    closed[i] = (now, st)
        time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))

    statuses = {}
    total_queued = 0
    for s in socks:
        st = status_of(s)
        statuses[st] = statuses.get(st, 0) + 1
        total_queued += queued(s)
        s.close()
    fin = sum(1 for _, st in closed.values() if st == CLOSE_WAIT)
    rst = sum(1 for _, st in closed.values() if st == CLOSE)
    times = sorted(t for t, _ in closed.values())
    print("RESULT asked=%d opened=%d connect_failed=%d closed_by_server=%d fin=%d rst=%d other=%d "
          "first_close_s=%s last_close_s=%s status=%s unread_kb_avg=%d hold_s=%.0f end_s=%.1f" % (
              count, len(socks), failed, len(closed), fin, rst, len(closed) - fin - rst,
              "%.1f" % times[0] if times else "-", "%.1f" % times[-1] if times else "-",
              ",".join("%s:%d" % kv for kv in sorted(statuses.items())) or "-",
              total_queued / 1024 / max(1, len(socks)), hold, time.monotonic() - t0), flush=True)


if __name__ == "__main__":
    main()
