"""Checks of the guestbook over HTTP.

Usage:
  check.py bad-input BASE_URL              bad and hostile input; exits 1 on the first failure
  check.py load BASE_URL DATABASE SECONDS POSTERS LABEL
                                           POSTERS concurrent posters for SECONDS; then every
                                           accepted post must be in DATABASE (a SQLite file, or a
                                           postgres:// URL read with psql) exactly once and no
                                           answer may be a "database is locked" 500; prints the counts
  check.py database-down BASE_URL         with the database stopped: the pages answer 503, with
                                           Retry-After and the database's error page
  check.py database-up BASE_URL SECONDS    the entries page answers 200 again within SECONDS
  check.py image BASE_URL COUNT            posts an entry with an image, then fetches the image COUNT
                                           times (over fresh connections, so that a front spreads them
                                           over its backends): each must be the same bytes
"""
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client import Visitor, png  # noqa: E402


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check(condition, message, detail=b""):
    if not condition:
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        fail(f"{message}\n{detail[:2000]}")
    print(f"ok: {message}")


def bad_input(base):
    visitor = Visitor(base)
    token = visitor.token()
    check("session" in visitor.cookies, "the first visit sets a signed session cookie")

    status, _, body = visitor.post("/post", {"name": "Mallory", "message": "no token"})
    check(status == 403, f"a post without the CSRF token gets 403 (got {status})", body)
    status, _, body = visitor.post("/post", {"name": "Mallory", "message": "forged", "csrf_token": token + "x"})
    check(status == 403, f"a post with a forged token gets 403 (got {status})", body)
    stranger = Visitor(base)
    status, _, body = stranger.post("/post", {"name": "Mallory", "message": "other session", "csrf_token": token})
    check(status == 403, f"a token of another session gets 403 (got {status})", body)

    big = png() + os.urandom(3 << 20)
    status, _, body = visitor.post("/post", {"name": "Big", "message": "huge", "csrf_token": token},
                                   {"image": ("big.png", big)})
    check(status == 413, f"an image over 2 MiB gets 413 (got {status})", body)

    status, _, body = visitor.post("/post", {"name": "Eve <i>", "message": "fake picture", "csrf_token": token},
                                   {"image": ("holiday.png", b"#!/bin/sh\necho this is not a picture\n" * 20)})
    check(status == 422, f"a non-image named .png is refused (got {status})", body)
    check(b"is not a PNG, JPEG, GIF or WebP image" in body, "the refusal says why", body)
    check(b'value="Eve &lt;i&gt;"' in body and b"fake picture</textarea>" in body,
          "the form comes back refilled (and escaped)", body)

    status, _, body = visitor.post("/post", {"name": "", "message": "   ", "csrf_token": token})
    check(status == 422 and b"Please give your name." in body and b"Please write a message." in body,
          "empty fields are refused with a message each", body)

    sql = "Robert'); DROP TABLE entry; --"
    script = '<script>alert("x")</script>'
    status, headers, body = visitor.post("/post", {"name": script, "message": sql, "csrf_token": token})
    check(status == 303 and headers.get("location", "").endswith("/"),
          f"a good post redirects (303) to the list (got {status} {headers.get('location')})", body)
    status, _, page = visitor.get("/")
    check(b"Thank you, " in page and b"id=\"flash\"" in page, "the flash message shows after the redirect", page)
    check(b"<p class=\"message\">Robert&#39;); DROP TABLE entry; --</p>" in page,
          "the SQL-looking message is stored and shown as text", page)
    check(b"<script>alert" not in page and b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page,
          "the name is HTML-escaped", page)
    status, _, page = visitor.get("/")
    check(b"id=\"flash\"" not in page, "the flash message shows once", page)
    status, _, data = visitor.get("/api/entries")
    entries = json.loads(data)["entries"]
    check(status == 200 and entries[0]["message"] == sql and entries[0]["name"] == script,
          "GET /api/entries gives the entry back unchanged as JSON", data)
    entry_id = entries[0]["id"]

    status, _, body = visitor.post("/post", {"name": "Pat", "message": "with a picture", "csrf_token": token},
                                   {"image": ("dot.png", png())})
    check(status == 303, f"a post with a real PNG is accepted (got {status})", body)
    _, _, data = visitor.get("/api/entries")
    image = json.loads(data)["entries"][0]["image"]
    check(image is not None, "the entry has its image", data)
    status, headers, body = visitor.get(image[len(visitor.path):])
    check(status == 200 and body == png() and headers.get("content-type") == "image/png",
          f"the image is served back byte for byte as image/png (got {status})")
    check("etag" in headers and "immutable" in headers.get("cache-control", ""), "with an ETag and caching", str(headers))
    status, _, _ = visitor.get(image[len(visitor.path):], headers={"If-None-Match": headers["etag"]})
    check(status == 304, f"If-None-Match gets 304 (got {status})")
    status, _, _ = visitor.get("/image/../../secret.key")
    check(status == 404, f"an image name that is not a hash gets 404 (got {status})")

    stranger.token()
    status, _, body = stranger.get(f"/edit/{entry_id}")
    check(status == 403, f"another visitor cannot edit the entry (got {status})", body)
    status, _, body = visitor.get(f"/edit/{entry_id}")
    check(status == 200 and b"DROP TABLE" in body, "its author can", body)

    status, headers, feed = visitor.get("/feed.atom")
    root = ElementTree.fromstring(feed)
    namespace = "{http://www.w3.org/2005/Atom}"
    contents = [element.text for element in root.iter(namespace + "content")]
    check(status == 200 and headers["content-type"].startswith("application/atom+xml") and sql in contents,
          "the Atom feed is well-formed XML and holds the message as text", feed)

    status, _, body = visitor.get("/admin")
    check(status == 200 and (b"login-form" in body or b"no-password" in body), "the admin page asks for a login", body)
    status, _, body = visitor.post("/admin/hide/1", {"csrf_token": visitor.token()})
    check(status == 403, f"hiding without being the admin gets 403 (got {status})", body)
    print("all bad-input checks passed")


def load(base, database, seconds, posters, label):
    deadline = time.time() + seconds
    lock = threading.Lock()
    accepted, statuses, locked_errors, samples = [], {}, [0], {}

    def poster(number):
        visitor = Visitor(base)
        token = visitor.token()
        count = 0
        while time.time() < deadline and count < 100_000:
            message = f"load {label} poster {number} post {count}"
            count += 1
            try:
                status, _, body = visitor.post("/post", {"name": f"poster {number}", "message": message, "csrf_token": token})
            except OSError as error:
                status, body = f"error {type(error).__name__}", b""
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 303:
                    accepted.append(message)
                elif status not in samples:
                    samples[status] = body[:300].decode(errors="replace")
                if b"database is locked" in body:
                    locked_errors[0] += 1

    threads = [threading.Thread(target=poster, args=(n,)) for n in range(posters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    stored = {}
    for message in stored_messages(database, f"load {label} "):
        stored[message] = stored.get(message, 0) + 1
    missing = [m for m in accepted if stored.get(m, 0) == 0]
    doubled = [m for m, n in stored.items() if n > 1]
    unaccepted = len(set(stored) - set(accepted))
    print(f"{label}: {posters} posters for {seconds} s: {sum(statuses.values())} posts sent, {len(accepted)} accepted (303), "
          f"{sum(stored.values())} rows stored, {len(missing)} accepted but missing, {len(doubled)} stored twice, "
          f"{unaccepted} stored without a 303; answers {dict(sorted(statuses.items(), key=str))}; "
          f"'database is locked': {locked_errors[0]}")
    check(len(accepted) > 0, f"{label}: posts were accepted")
    check(not missing and not doubled, f"{label}: every accepted post is in the database exactly once")
    check(locked_errors[0] == 0 and statuses.get(500, 0) == 0, f"{label}: no 500 and no 'database is locked'")
    check(set(statuses) == {303}, f"{label}: every post was answered 303",
          "\n".join(f"{status}: {text}" for status, text in samples.items()))


def shared_image(base, count):
    visitor = Visitor(base)
    picture = png(color=(20, 120, 200))
    status, _, body = visitor.post("/post", {"name": "Pat", "message": "a picture for every backend",
                                             "csrf_token": visitor.token()}, {"image": ("blue.png", picture)})
    check(status == 303, f"a post with an image is accepted (got {status})", body)
    _, _, data = visitor.get("/api/entries")
    image = json.loads(data)["entries"][0]["image"]
    served = 0
    for _ in range(count):
        status, _, body = Visitor(base).get(image[len(visitor.path):])
        served += status == 200 and body == picture
    check(served == count, f"the image is served {served} times of {count}, byte for byte")


def database_down(base):
    for path in ("/", "/api/entries", "/feed.atom"):
        status, headers, body = Visitor(base).get(path)
        check(status == 503 and headers.get("retry-after") and b'id="database-error"' in body,
              f"with the database down, GET {path} answers 503 with Retry-After and says so (got {status})", body)


def database_up(base, seconds):
    deadline = time.time() + seconds
    status = None
    while time.time() < deadline:
        status, _, body = Visitor(base).get("/")
        if status == 200:
            break
        time.sleep(0.2)
    check(status == 200, f"with the database back, the entries page answers 200 within {seconds} s (last: {status})")


def stored_messages(database, prefix):
    """The messages in the entry table of DATABASE (a SQLite file or a postgres:// URL) that start with prefix."""
    if database.startswith(("postgres://", "postgresql://")):
        # From standard input, where psql fills in :'prefix' as a quoted literal.
        output = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", database, "-v", f"prefix={prefix}"],
                                input="SELECT message FROM entry WHERE starts_with(message, :'prefix');\n",
                                check=True, capture_output=True, text=True, timeout=60).stdout
        return output.splitlines()
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        return [message for (message,) in connection.execute(
            "SELECT message FROM entry WHERE substr(message, 1, ?) = ?", (len(prefix), prefix))]


if __name__ == "__main__":
    if sys.argv[1] == "bad-input":
        bad_input(sys.argv[2])
    elif sys.argv[1] == "database-down":
        database_down(sys.argv[2])
    elif sys.argv[1] == "database-up":
        database_up(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "image":
        shared_image(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        fail(f"unknown command {sys.argv[1]}")
