#!/usr/bin/python3
"""A FastCGI application for FastCGIResponderTests: listens on the Unix socket argv[1], appends
one line per connection (ACCEPT) and per record it receives (TYPE REQUEST-ID) to argv[2], and answers by QUERY_STRING:
  overloaded  END_REQUEST with FCGI_OVERLOADED
  garbage     a record header with version 2
  hang        the head and "start\n", then "tick\n" every 0.2 s until ABORT_REQUEST, answered by END_REQUEST
  (other)     "Content-Type: text/plain" and "ok\n"
Connections are served one after the other, kept open as long as the client keeps them."""
import os
import socket
import struct
import sys

path, log_path = sys.argv[1], sys.argv[2]
names = {1: "BEGIN_REQUEST", 2: "ABORT_REQUEST", 4: "PARAMS", 5: "STDIN"}


def record(kind, request_id, content=b""):
    return struct.pack(">BBHHBB", 1, kind, request_id, len(content), 0, 0) + content


def end_request(request_id, protocol_status=0):
    return record(3, request_id, struct.pack(">IB3x", 0, protocol_status))


def params(data):
    pairs, offset = {}, 0
    while offset < len(data):
        lengths = []
        for _ in range(2):
            if data[offset] < 128:
                lengths.append(data[offset])
                offset += 1
            else:
                lengths.append(struct.unpack(">I", data[offset:offset + 4])[0] & 0x7FFFFFFF)
                offset += 4
        name = data[offset:offset + lengths[0]]
        value = data[offset + lengths[0]:offset + lengths[0] + lengths[1]]
        offset += lengths[0] + lengths[1]
        pairs[name.decode()] = value.decode()
    return pairs


def serve(connection):
    buffer, param_bytes, query, hanging = b"", b"", None, None
    while True:
        connection.settimeout(0.2 if hanging else None)
        try:
            chunk = connection.recv(65536)
        except socket.timeout:
            connection.sendall(record(6, hanging, b"tick\n"))
            continue
        if not chunk:
            return
        buffer += chunk
        while len(buffer) >= 8:
            _, kind, request_id, length, padding, _ = struct.unpack(">BBHHBB", buffer[:8])
            if len(buffer) < 8 + length + padding:
                break
            content = buffer[8:8 + length]
            buffer = buffer[8 + length + padding:]
            with open(log_path, "a") as log:
                log.write(f"{names.get(kind, kind)} {request_id}\n")
            if kind == 1:
                param_bytes = b""
            elif kind == 4 and content:
                param_bytes += content
            elif kind == 4:
                query = params(param_bytes).get("QUERY_STRING", "")
            elif kind == 2:
                hanging = None
                connection.sendall(end_request(request_id))
            elif kind == 5 and not content:
                if query == "overloaded":
                    connection.sendall(end_request(request_id, 2))
                elif query == "garbage":
                    connection.sendall(b"\x02\x06\x00\x01\x00\x00\x00\x00")
                elif query == "hang":
                    connection.sendall(record(6, request_id, b"Content-Type: text/plain\r\n\r\nstart\n"))
                    hanging = request_id
                else:
                    body = b"Content-Type: text/plain\r\n\r\nok\n"
                    connection.sendall(record(6, request_id, body) + record(6, request_id) + end_request(request_id))


listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
listener.listen(16)
print("ready", flush=True)
while True:
    connection, _ = listener.accept()
    with open(log_path, "a") as log:
        log.write("ACCEPT\n")
    try:
        serve(connection)
    except OSError:
        pass
    connection.close()
