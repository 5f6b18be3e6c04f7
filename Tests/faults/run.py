#!/usr/bin/env python3
"""The attacks and faults of cgi-server's hardening, run black-box against a real server on
127.0.0.1 at their original sizes, each printing its figures and failing on a regression:

- memory: 20 POSTs of 90 MiB queued behind --max-scripts 1 must not be read into memory
  (the server's RSS may grow by at most 64 MiB while they wait);
- starvation: 100 connections trickling a body at 1 byte/s each (100 B/s in all) must not
  keep legitimate CGI requests from being answered;
- descriptors: 1,000 connections under a limit of 256 open files must not spin the event
  loops (at most 1 CPU-second over 8 s) and must be logged;
- signal: SIGHUP with 64 requests in flight reopens the logs, and every request is answered.

Usage: Tests/faults/run.py   (from the package root, after `swift build`). Exits non-zero when
a check fails; stops every process it started.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN = subprocess.run(["swift", "build", "--show-bin-path"], capture_output=True, text=True, check=True).stdout.strip()
SERVER = os.path.join(BIN, "cgi-server")
failures = 0
servers = []  # every server started, stopped at the end whatever happened


def check(ok, text):
    global failures
    print(("ok: " if ok else "FAIL: ") + text, flush=True)
    if not ok:
        failures += 1


def write_script(folder, name, body):
    path = os.path.join(folder, "cgi-bin", name)
    with open(path, "w") as script:
        script.write("#!/usr/bin/python3\n" + body)
    os.chmod(path, 0o755)


def make_site(root):
    os.makedirs(os.path.join(root, "cgi-bin"))
    os.makedirs(os.path.join(root, "htdocs"))
    write_script(root, "hello", 'print("Content-Type: text/plain\\r\\n\\r\\nhello", end="")\n')
    for name, seconds in (("slow", 2), ("hold", 15)):
        write_script(root, name, f'import time\ntime.sleep({seconds})\nprint("Content-Type: text/plain\\r\\n\\r\\nslept", end="")\n')
    write_script(root, "drain", 'import sys\nn = len(sys.stdin.buffer.read())\nprint(f"Content-Type: text/plain\\r\\n\\r\\n{n}", end="")\n')


class Server:
    """cgi-server on a free port of 127.0.0.1, optionally under a `prlimit`."""

    def __init__(self, site, *arguments, prefix=()):
        self.log = open(os.path.join(site, "server.log"), "w+")
        command = list(prefix) + [SERVER, site, "--port", "0"] + list(arguments)
        if os.geteuid() == 0:
            command.append("--allow-root-scripts")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log, text=True)
        servers.append(self)
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError("cgi-server did not start: " + line + self.log_text())
        self.port = int(line.strip().rsplit(":", 1)[1].rstrip("/"))
        self.pid = self.process.pid

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as status:
            return int(next(line for line in status if line.startswith("VmRSS:")).split()[1])

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_text(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def get(port, path, timeout=10):
    """Status code of GET path (0 when no answer came)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    except (OSError, ValueError, IndexError):
        return 0


def memory(site):
    server = Server(site, "--max-scripts", "1")
    size = 90 * 1024 * 1024
    before = server.rss_kib()
    holder = socket.create_connection(("127.0.0.1", server.port))  # takes the one slot for 15 s
    holder.sendall(b"GET /cgi-bin/hold HTTP/1.1\r\nHost: localhost\r\n\r\n")
    time.sleep(0.3)
    sent = [0] * 20
    connections = []

    def push(index):
        connection = socket.create_connection(("127.0.0.1", server.port))
        connections.append(connection)
        connection.sendall(
            f"POST /cgi-bin/drain HTTP/1.1\r\nHost: localhost\r\nContent-Length: {size}\r\n\r\n".encode())
        connection.settimeout(3)  # the server stops reading: sending stalls
        block = b"x" * (1024 * 1024)
        try:
            while sent[index] < size:
                sent[index] += connection.send(block)
        except OSError:
            pass

    threads = [threading.Thread(target=push, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    grown = (server.rss_kib() - before) // 1024
    print(f"memory: 20 queued POSTs of 90 MiB behind --max-scripts 1: clients got {sum(sent) // 2**20} MiB "
          f"into the sockets while they waited, server RSS {before // 1024} -> {before // 1024 + grown} MiB", flush=True)
    check(grown <= 64, f"queued bodies are not read into memory (RSS grew {grown} MiB)")
    for connection in connections + [holder]:
        connection.close()
    server.stop()


def starvation(site):
    server = Server(site)
    stop = threading.Event()
    trickling = []

    def trickle():
        connection = socket.create_connection(("127.0.0.1", server.port))
        trickling.append(connection)
        connection.sendall(b"POST /cgi-bin/drain HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1048576\r\n\r\n")
        while not stop.wait(1):
            try:
                connection.send(b"x")
            except OSError:
                return

    threads = [threading.Thread(target=trickle) for _ in range(100)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    statuses, slowest = [], 0.0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        started = time.monotonic()
        statuses.append(get(server.port, "/cgi-bin/hello"))
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.2)
    stop.set()
    answered = statuses.count(200)
    print(f"starvation: 100 connections trickling 1 byte/s each for 22 s: {answered} of {len(statuses)} "
          f"legitimate CGI requests answered 200, slowest {slowest * 1000:.0f} ms", flush=True)
    check(answered == len(statuses), "every legitimate CGI request is answered while bodies trickle")
    for thread in threads:
        thread.join(timeout=5)
    for connection in trickling:
        connection.close()
    server.stop()


def descriptors(site):
    server = Server(site, prefix=("prlimit", "--nofile=256"))
    held = []
    for _ in range(1000):
        try:
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=2))
        except OSError:
            break
    time.sleep(1)
    before = server.cpu_seconds()
    time.sleep(8)
    used = server.cpu_seconds() - before
    print(f"descriptors: {len(held)} connections under --nofile=256: {used:.2f} CPU-seconds in 8 s", flush=True)
    check(used <= 1.0, f"the event loops do not spin on accept ({used:.2f} CPU-seconds in 8 s)")
    check("cannot accept" in server.log_text(), "running out of descriptors is logged")
    for connection in held:
        connection.close()
    time.sleep(1)
    check(get(server.port, "/cgi-bin/hello") == 200, "the server serves again once connections close")
    server.stop()


def sighup(site):
    access = os.path.join(site, "access.log")
    server = Server(site, "--access-log", access)
    statuses = []

    def request():
        statuses.append(get(server.port, "/cgi-bin/slow", timeout=20))

    threads = [threading.Thread(target=request) for _ in range(64)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    os.rename(access, access + ".1")
    server.process.send_signal(signal.SIGHUP)
    for thread in threads:
        thread.join(timeout=30)
    alive = server.process.poll() is None
    answered = statuses.count(200)
    print(f"signal: SIGHUP with 64 requests in flight: {answered} of 64 answered 200, server "
          f"{'running' if alive else 'gone'}", flush=True)
    check(alive and answered == 64, "SIGHUP keeps the server and every request in flight")
    check(get(server.port, "/cgi-bin/hello") == 200, "the server serves after SIGHUP")
    time.sleep(0.2)
    check(os.path.exists(access) and "/cgi-bin/hello" in open(access).read(), "SIGHUP reopened the access log")
    server.stop()


def main():
    for fault in (memory, starvation, descriptors, sighup):
        site = tempfile.mkdtemp(prefix="faults.")
        os.chmod(site, 0o755)
        make_site(site)
        try:
            fault(site)
        finally:
            for server in servers:
                server.stop()
            shutil.rmtree(site, ignore_errors=True)
    if failures:
        print(f"{failures} checks failed")
        sys.exit(1)
    print("all fault checks passed")


if __name__ == "__main__":
    main()
