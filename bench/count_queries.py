#!/usr/bin/env python3
"""Counts the DNS queries a command sends, through a forwarding proxy on loopback.

    count_queries.py UPSTREAM_PORT LISTEN_PORT -- COMMAND...

Listens on 127.0.0.1:LISTEN_PORT (UDP and TCP), forwards every datagram and
TCP stream to 127.0.0.1:UPSTREAM_PORT, runs COMMAND (which must ask
LISTEN_PORT) and prints "udp=N tcp=M" (queries per transport, counted as
datagrams and as length-prefixed TCP frames) once it exits. Used by
bench/run.sh to check that the floor client asks the same number of
questions as hsvc. Only loopback is used; the proxy stops with the command.
"""

import socket
import subprocess
import sys
import threading

HOST = "127.0.0.1"


def main():
    up_port, listen_port = int(sys.argv[1]), int(sys.argv[2])
    assert sys.argv[3] == "--"
    cmd = sys.argv[4:]
    upstream = (HOST, up_port)
    counts = {"udp": 0, "tcp": 0}
    lock = threading.Lock()
    stop = threading.Event()

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    udp.bind((HOST, listen_port))
    udp.settimeout(0.1)
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind((HOST, listen_port))
    lst.listen(16)
    lst.settimeout(0.1)

    # One upstream socket per client address, with a thread relaying replies.
    peers = {}

    def relay_back(up, client):
        up.settimeout(0.1)
        while not stop.is_set():
            try:
                data = up.recv(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            udp.sendto(data, client)

    def udp_loop():
        while not stop.is_set():
            try:
                data, client = udp.recvfrom(65535)
            except socket.timeout:
                continue
            with lock:
                counts["udp"] += 1
            up = peers.get(client)
            if up is None:
                up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                up.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
                up.connect(upstream)
                peers[client] = up
                threading.Thread(target=relay_back, args=(up, client), daemon=True).start()
            up.send(data)

    def pipe(src, dst, count):
        buf = b""
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            if count:
                buf += data
                while len(buf) >= 2 and len(buf) >= 2 + int.from_bytes(buf[:2], "big"):
                    buf = buf[2 + int.from_bytes(buf[:2], "big"):]
                    with lock:
                        counts["tcp"] += 1
            dst.sendall(data)

    def tcp_loop():
        while not stop.is_set():
            try:
                c, _ = lst.accept()
            except socket.timeout:
                continue
            c.settimeout(None)
            u = socket.create_connection(upstream)
            for s in (c, u):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=pipe, args=(c, u, True), daemon=True).start()
            threading.Thread(target=pipe, args=(u, c, False), daemon=True).start()

    threads = [threading.Thread(target=f, daemon=True) for f in (udp_loop, tcp_loop)]
    for t in threads:
        t.start()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, timeout=60).returncode
    stop.set()
    for t in threads:
        t.join()
    with lock:
        print(f"udp={counts['udp']} tcp={counts['tcp']}" + ("" if rc == 0 else f" (exit {rc})"))


if __name__ == "__main__":
    main()
