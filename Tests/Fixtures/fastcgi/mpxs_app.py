#!/usr/bin/python3
"""A FastCGI application that multiplexes, for FastCGIMultiplexingTests: listens on the Unix
socket argv[1] (asyncio), answers GET_VALUES with FCGI_MPXS_CONNS=1 and FCGI_MAX_REQS=8, serves
the requests of one connection concurrently, and appends one line per connection (ACCEPT) and per
BEGIN_REQUEST and ABORT_REQUEST (TYPE REQUEST-ID) to argv[2]. Answers by QUERY_STRING:
  sleep=S   waits S seconds, then "slept S id ID\n"
  hang      the head and "start\n", then "tick\n" every 0.2 s until ABORT_REQUEST, answered by END_REQUEST
  big=N     N MiB of "x" in records of 60 KiB, written as the connection drains, until ABORT_REQUEST
  die       the first time: the connection is closed at once (every request on it fails);
            afterwards "revived\n"
  stats     "connections N max M\n": connections accepted, most requests live at once on one connection
  (other)   "ok\n"
A request begun on an id that is live on its connection is a failure the log names (DUPLICATE ID)."""
import asyncio
import struct
import sys

path, log_path = sys.argv[1], sys.argv[2]
stats = {"connections": 0, "max": 0, "died": False}


def log(line):
    with open(log_path, "a") as file:
        file.write(line + "\n")


def record(kind, request_id, content=b""):
    return struct.pack(">BBHHBB", 1, kind, request_id, len(content), 0, 0) + content


def end_request(request_id, protocol_status=0):
    return record(3, request_id, struct.pack(">IB3x", 0, protocol_status))


def pair(name, value):
    return bytes([len(name), len(value)]) + name + value


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


async def respond(writer, request_id, query, aborted):
    head = b"Content-Type: text/plain\r\n\r\n"
    if query.startswith("sleep="):
        seconds = float(query[6:])
        await asyncio.sleep(seconds)
        body = f"slept {query[6:]} id {request_id}\n".encode()
    elif query == "hang":
        writer.write(record(6, request_id, head + b"start\n"))
        while not aborted.is_set():
            try:
                await asyncio.wait_for(aborted.wait(), 0.2)
            except asyncio.TimeoutError:
                writer.write(record(6, request_id, b"tick\n"))
        writer.write(end_request(request_id))
        return
    elif query.startswith("big="):
        writer.write(record(6, request_id, head))
        chunk = b"x" * 61440
        for _ in range(int(query[4:]) * 1048576 // len(chunk)):
            if aborted.is_set():
                break
            writer.write(record(6, request_id, chunk))
            await writer.drain()
        if not aborted.is_set():
            writer.write(record(6, request_id))
        writer.write(end_request(request_id))
        return
    elif query == "die" and not stats["died"]:
        stats["died"] = True
        writer.transport.abort()
        return
    elif query == "die":
        body = b"revived\n"
    elif query == "stats":
        body = f"connections {stats['connections']} max {stats['max']}\n".encode()
    else:
        body = b"ok\n"
    if not aborted.is_set():
        # Cut in two records so that answers interleave.
        writer.write(record(6, request_id, head + body[:3]))
        await asyncio.sleep(0)
        writer.write((record(6, request_id, body[3:]) if body[3:] else b"") + record(6, request_id))
    writer.write(end_request(request_id))


async def serve(reader, writer):
    stats["connections"] += 1
    log("ACCEPT")
    live = {}  # request id -> [param bytes, abort event, task]
    buffer = b""
    tasks = set()
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            buffer += chunk
            while len(buffer) >= 8:
                _, kind, request_id, length, padding, _ = struct.unpack(">BBHHBB", buffer[:8])
                if len(buffer) < 8 + length + padding:
                    break
                content = buffer[8:8 + length]
                buffer = buffer[8 + length + padding:]
                if kind == 9:
                    answer = pair(b"FCGI_MPXS_CONNS", b"1") + pair(b"FCGI_MAX_REQS", b"8")
                    writer.write(record(10, 0, answer))
                elif kind == 1:
                    log(f"BEGIN_REQUEST {request_id}")
                    if request_id in live:
                        log(f"DUPLICATE ID {request_id}")
                    live[request_id] = [b"", asyncio.Event(), None]
                    stats["max"] = max(stats["max"], len(live))
                elif kind == 2:
                    log(f"ABORT_REQUEST {request_id}")
                    if request_id in live:
                        live[request_id][1].set()
                elif kind == 4 and content:
                    live[request_id][0] += content
                elif kind == 5 and not content:
                    entry = live[request_id]
                    query = params(entry[0]).get("QUERY_STRING", "")

                    async def run(request_id=request_id, query=query, aborted=entry[1]):
                        await respond(writer, request_id, query, aborted)
                        live.pop(request_id, None)

                    task = asyncio.ensure_future(run())
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
    except (ConnectionError, OSError):
        pass
    for task in list(tasks):
        task.cancel()
    writer.close()


async def main():
    server = await asyncio.start_unix_server(serve, path)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
