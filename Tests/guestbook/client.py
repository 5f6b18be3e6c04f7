"""A guestbook visitor over http.client: keeps its cookies, reads the CSRF token from the page,
and posts multipart forms. Shared by check.py (bad input, concurrency) and the benchmark."""
import http.client
import re
import struct
import urllib.parse
import uuid
import zlib


class Visitor:
    """One browser-like client with its own cookie jar (so its own session)."""

    def __init__(self, base, timeout=30):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path.rstrip("/")
        self.timeout = timeout
        self.cookies = {}
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        """Sends a request (retrying once on a closed kept-alive connection); returns (status, headers, body bytes)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.connection.request(method, self.path + path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if "Max-Age=0" in value or val == "":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = val
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def get(self, path="/", headers=None):
        return self.request("GET", path, headers=headers)

    def token(self, path="/"):
        """The CSRF token of the form on the page at path."""
        status, _, body = self.get(path)
        match = re.search(rb'name="csrf_token" value="([^"]+)"', body)
        if status != 200 or not match:
            raise RuntimeError(f"no form with a CSRF token at {path}: status {status}")
        return match.group(1).decode().replace("&#43;", "+")

    def post(self, path, fields, files=None):
        """A multipart/form-data POST of fields (dict) and files ({name: (filename, bytes)})."""
        boundary = uuid.uuid4().hex
        chunks = []
        for name, value in fields.items():
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                          + value.encode() + b"\r\n")
        for name, (filename, data) in (files or {}).items():
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                          f'Content-Type: image/png\r\n\r\n'.encode() + data + b"\r\n")
        chunks.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, body=b"".join(chunks),
                            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def png(width=8, height=8, color=(200, 80, 20)):
    """A real PNG picture of one colour."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\0" + bytes(color) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
