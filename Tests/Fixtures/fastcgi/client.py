#!/usr/bin/env python3
"""A FastCGI client for the process manager's tests: sends COUNT requests (QUERY_STRING given)
to the unix socket, CONCURRENCY at a time, one connection each, and prints one line per request
as it completes: the response body's first line, or `error: WHY`."""
import socket
import struct
import sys
import threading

path, count, concurrency, query = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]


def pair(name, value):
    name, value = name.encode(), value.encode()
    return bytes([len(name), len(value)]) + name + value


def record(kind, content=b""):
    return struct.pack("!BBHHBB", 1, kind, 1, len(content), 0, 0) + content


def request():
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(60)
        connection.connect(path)
        params = pair("QUERY_STRING", query) + pair("REQUEST_METHOD", "GET")
        connection.sendall(record(1, struct.pack("!HB5x", 1, 0)) + record(4, params) + record(4) + record(5))
        data, stdout = b"", b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                raise EOFError("connection closed before END_REQUEST")
            data += chunk
            while len(data) >= 8:
                _, kind, _, length, padding, _ = struct.unpack("!BBHHBB", data[:8])
                if len(data) < 8 + length + padding:
                    break
                content, data = data[8:8 + length], data[8 + length + padding:]
                if kind == 6:
                    stdout += content
                elif kind == 3:
                    return stdout.split(b"\r\n\r\n", 1)[1].decode().strip()


next_index = [0]
lock = threading.Lock()


def run():
    while True:
        with lock:
            index = next_index[0]
            next_index[0] += 1
        if index >= count:
            return
        try:
            result = request()
        except Exception as error:
            result = f"error: {error!r}"
        with lock:
            print(result, flush=True)


threads = [threading.Thread(target=run) for _ in range(concurrency)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
