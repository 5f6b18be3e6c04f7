#!/usr/bin/python3
# Any executable is a CGI script: this one is Python, with no library at all.
import os
from urllib.parse import parse_qs

name = parse_qs(os.environ.get("QUERY_STRING", "")).get("name", ["world"])[0]
print("Content-Type: text/plain; charset=utf-8\r\n\r\n", end="")
print(f"Hello from Python, {name}!")
