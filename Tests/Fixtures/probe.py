#!/usr/bin/python3
# A CGI script driven by QUERY_STRING (k=v&...), used by the gateway's tests.
#   (none)          headers, then env-NAME=VALUE lines (sorted), cwd=, pid=, pgid=, argc=, argv[i]=
#   env=NAME        body is the value of NAME or "[NAME not found]"
#   envhex=NAME     body is the bytes of NAME's value in hex, or "[NAME not found]"
#   echo=1          reads CONTENT_LENGTH bytes (to EOF if unset), prints len=N then the bytes
#   raw=BASE64URL   writes the decoded bytes verbatim
#   headers=N       writes N header lines X-n: v (and never a blank line)
#   stderr=N        writes N bytes "x" to standard error first
#   big=N           a body of N bytes "A" (without reading standard input)
#   fds=1           one line per open descriptor: fd=N -> target
#   grandchild=1    starts "sleep 300" in the background holding stdout; its pid on stderr
#   sleep_before=S  sleeps S seconds before anything; ignore_term=1 ignores SIGTERM
#   exit=N          exits with status N at the end
import base64, os, signal, subprocess, sys, time, urllib.parse

params = dict(urllib.parse.parse_qsl(os.environ.get("QUERY_STRING", ""), keep_blank_values=True))
out = sys.stdout.buffer

if params.get("ignore_term") == "1":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if "stderr" in params:
    sys.stderr.write("x" * int(params["stderr"]))
    sys.stderr.flush()
if params.get("grandchild") == "1":
    child = subprocess.Popen(["sleep", "300"], stdout=sys.stdout, close_fds=True)
    sys.stderr.write("grandchild=%d\n" % child.pid)
    sys.stderr.flush()
if "sleep_before" in params:
    time.sleep(float(params["sleep_before"]))

if "headers" in params:
    for n in range(int(params["headers"])):
        out.write(b"X-%d: v\n" % n)
    sys.exit(0)

if "raw" in params:
    out.write(base64.urlsafe_b64decode(params["raw"] + "=" * (-len(params["raw"]) % 4)))
    sys.exit(0)

out.write(b"Content-Type: text/plain\r\nX-Test-Header: X-Test-Value\r\nX-CGI-Pid: %d\r\n\r\n" % os.getpid())
if "envhex" in params:
    value = os.environb.get(params["envhex"].encode())
    out.write(value.hex().encode() if value is not None else b"[%s not found]" % params["envhex"].encode())
elif "env" in params:
    name = params["env"]
    out.write(os.environ.get(name, "[%s not found]" % name).encode())
elif params.get("echo") == "1":
    length = os.environ.get("CONTENT_LENGTH")
    data = sys.stdin.buffer.read(int(length)) if length else sys.stdin.buffer.read()
    out.write(b"len=%d\n" % len(data) + data)
elif "big" in params:
    out.write(b"A" * int(params["big"]))
elif params.get("fds") == "1":
    for name in sorted(os.listdir("/proc/self/fd"), key=int):
        try:
            out.write(("fd=%s -> %s\n" % (name, os.readlink("/proc/self/fd/" + name))).encode())
        except FileNotFoundError:
            pass  # the descriptor listdir used, closed again
else:
    for name in sorted(os.environ):
        out.write(("env-%s=%s\n" % (name, os.environ[name])).encode())
    out.write(("cwd=%s\npid=%d\npgid=%d\nargc=%d\n" % (os.getcwd(), os.getpid(), os.getpgid(0), len(sys.argv))).encode())
    for i, arg in enumerate(sys.argv):
        out.write(("argv[%d]=%s\n" % (i, arg)).encode())
out.flush()
sys.exit(int(params.get("exit", "0")))
