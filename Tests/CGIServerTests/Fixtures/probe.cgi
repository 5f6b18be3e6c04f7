#!/usr/bin/python3
# Test fixture for cgi-server: one CGI script driven by its query string (k=v&...).
#   (default)       headers, then one env-NAME=VALUE line per variable (sorted), cwd=, argc=
#   env=NAME        body is only the value of NAME, or [NAME not found]
#   envhex=NAME     body is only the bytes of NAME's value in hex, or [NAME not found]
#   echo=1          reads CONTENT_LENGTH bytes (to EOF if unset): len=N, sha256=HEX
#   raw=B64URL      writes the decoded bytes to stdout verbatim (header-parsing cases)
#   stderr=N        writes N bytes "x" and a newline to stderr first
#   big=N           writes N bytes "A" as the body
#   drip=S          writes part1, sleeps S seconds, writes part2
#   sleep_before=S  sleeps S seconds before writing anything
#   ignore_term=1   ignores SIGTERM
#   grandchild=1    starts `sleep 300` holding stdout, records its pid in $PROBE_STATE/grandchild
#   noread=1        never reads stdin, writes a 1 MiB body
#   fds=1           lists its open descriptors
#   sig=1           prints SigIgn and SigBlk from /proc/self/status
#   loc=URL         prints only a Location header
#   marker=NAME     touches $PROBE_STATE/ran-NAME
#   spin=1          burns CPU until it is stopped, writing nothing
#   exit=N          exits with status N after writing its response
#   die=SIGNAL      kills itself with SIGNAL after writing its response
#   sleep_after=S   sleeps S seconds after writing its response, before it exits
# Every run records its pid in $PROBE_STATE/pids/<pid>.
import base64, hashlib, os, signal, subprocess, sys, time, urllib.parse

state = os.environ.get("PROBE_STATE")
query = dict(urllib.parse.parse_qsl(os.environ.get("QUERY_STRING", ""), keep_blank_values=True))
out = sys.stdout.buffer

if state:
    os.makedirs(os.path.join(state, "pids"), exist_ok=True)
    open(os.path.join(state, "pids", str(os.getpid())), "w").close()
    if "marker" in query:
        open(os.path.join(state, "ran-" + query["marker"]), "w").close()
if query.get("ignore_term") == "1":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if "stderr" in query:
    sys.stderr.write("x" * int(query["stderr"]) + "\n")
    sys.stderr.flush()
if "sleep_before" in query:
    time.sleep(float(query["sleep_before"]))

def headers(extra=b""):
    out.write(b"Content-Type: text/plain\r\nX-Test-Header: X-Test-Value\r\nX-CGI-Pid: %d\r\n%s\r\n" % (os.getpid(), extra))

if query.get("spin") == "1":
    while True:
        pass
if "raw" in query:
    data = query["raw"]
    out.write(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
elif "loc" in query:
    out.write(b"Location: " + query["loc"].encode() + b"\r\n\r\n")
elif "envhex" in query:
    headers()
    value = os.environb.get(query["envhex"].encode())
    out.write(value.hex().encode() if value is not None else b"[%s not found]" % query["envhex"].encode())
elif "env" in query:
    headers()
    name = query["env"]
    out.write(os.environ.get(name, "[%s not found]" % name).encode())
elif query.get("echo") == "1":
    length = os.environ.get("CONTENT_LENGTH")
    body = sys.stdin.buffer.read(int(length)) if length else sys.stdin.buffer.read()
    headers()
    out.write(b"len=%d\nsha256=%s\n" % (len(body), hashlib.sha256(body).hexdigest().encode()))
elif "big" in query:
    headers()
    out.write(b"A" * int(query["big"]))
elif query.get("noread") == "1":
    headers()
    out.write(b"A" * (1 << 20))
elif "drip" in query:
    headers()
    out.write(b"part1")
    out.flush()
    time.sleep(float(query["drip"]))
    out.write(b"part2")
elif query.get("grandchild") == "1":
    headers()
    out.write(b"started\n")
    out.flush()
    child = subprocess.Popen(["sleep", "300"], stdout=sys.stdout, close_fds=False)
    if state:
        with open(os.path.join(state, "grandchild"), "w") as f:
            f.write(str(child.pid))
elif query.get("fds") == "1":
    headers()
    for fd in sorted(os.listdir("/proc/self/fd"), key=int):
        try:
            out.write(b"fd %s -> %s\n" % (fd.encode(), os.readlink("/proc/self/fd/" + fd).encode()))
        except OSError:
            pass
elif query.get("sig") == "1":
    headers()
    for line in open("/proc/self/status"):
        if line.startswith(("SigIgn", "SigBlk")):
            out.write(line.encode())
else:
    headers()
    for name in sorted(os.environ):
        out.write(("env-%s=%s\n" % (name, os.environ[name])).encode())
    out.write(("cwd=%s\nargc=%d\n" % (os.getcwd(), len(sys.argv))).encode())
out.flush()
if "sleep_after" in query:
    time.sleep(float(query["sleep_after"]))
if "exit" in query:
    sys.exit(int(query["exit"]))
if "die" in query:
    os.kill(os.getpid(), int(query["die"]))
