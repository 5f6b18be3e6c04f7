#!/usr/bin/env python3
"""A FastCGI responder for the process manager's tests: accepts on descriptor 0, serves one
connection at a time, exits after FCGI_MAX_REQUESTS requests, finishes its request and exits on
SIGTERM, and writes 'B' and 'E' around each request on the descriptor FCGI_STATUS_FD names.

Answers `VERSION PID` (VERSION is the line below, which tests rewrite), or sleeps first with
QUERY_STRING `sleep=SECONDS` (saying `sleeping` on standard error), or exits at once without answering with `exit`,
or answers how many connections it has accepted with `connections`."""
VERSION = "1"

import os
import signal
import socket
import struct
import sys
import time

import select

state = {"stopping": False, "connections": 0}


def on_sigterm(*_):
    state["stopping"] = True


def read_exactly(connection, count):
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_record(connection):
    version, kind, request_id, length, padding, _ = struct.unpack("!BBHHBB", read_exactly(connection, 8))
    content = read_exactly(connection, length)
    read_exactly(connection, padding)
    return kind, request_id, content


def record(kind, request_id, content=b""):
    return struct.pack("!BBHHBB", 1, kind, request_id, len(content), 0, 0) + content


def parse_params(data):
    params, index = {}, 0
    while index < len(data):
        lengths = []
        for _ in range(2):
            if data[index] < 128:
                lengths.append(data[index]); index += 1
            else:
                lengths.append(struct.unpack("!I", data[index:index + 4])[0] & 0x7FFFFFFF); index += 4
        name = data[index:index + lengths[0]]; index += lengths[0]
        params[name.decode()] = data[index:index + lengths[1]].decode(); index += lengths[1]
    return params


def serve(connection, status):
    """Serves the requests of one connection; returns how many began."""
    served = 0
    while True:
        try:
            kind, request_id, content = read_record(connection)
        except EOFError:
            return served
        if kind != 1:
            continue
        served += 1
        if status is not None:
            os.write(status, b"B")
        keep = content[2] & 1
        params = b""
        while True:
            kind, _, content = read_record(connection)
            if kind == 4 and not content:
                break
            if kind == 4:
                params += content
        while True:
            kind, _, content = read_record(connection)
            if kind == 5 and not content:
                break
        query = parse_params(params).get("QUERY_STRING", "")
        if query == "exit":
            os._exit(3)
        if query.startswith("sleep="):
            print("sleeping", file=sys.stderr, flush=True)
            time.sleep(float(query[6:]))
        answer = state["connections"] if query == "connections" else f"{VERSION} {os.getpid()}"
        body = f"Content-Type: text/plain\r\n\r\n{answer}\n".encode()
        connection.sendall(record(6, request_id, body) + record(6, request_id)
                           + record(3, request_id, struct.pack("!IB3x", 0, 0)))
        if status is not None:
            os.write(status, b"E")
        if not keep or state["stopping"]:
            return served


def main():
    # SIGTERM only sets a flag; the wake-up pipe ends the wait for a connection, so a connection
    # once accepted is always served.
    wakeup, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGTERM, on_sigterm)
    listener = socket.socket(fileno=0)
    listener.setblocking(False)
    status = int(os.environ["FCGI_STATUS_FD"]) if "FCGI_STATUS_FD" in os.environ else None
    limit = int(os.environ.get("FCGI_MAX_REQUESTS", "0"))
    served = 0
    while not state["stopping"] and (limit == 0 or served < limit):
        select.select([listener, wakeup], [], [])
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            continue  # another worker took it, or the wake-up pipe woke us
        connection.setblocking(True)
        state["connections"] += 1
        try:
            served += serve(connection, status)
        finally:
            connection.shutdown(socket.SHUT_WR)
            connection.close()
    sys.exit(0)


main()
