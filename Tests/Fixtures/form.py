#!/usr/bin/python3 -W ignore
# Reads the request with Python's cgi.FieldStorage and prints one line per field:
#   name=NAME value=VALUE                       for a short text field
#   name=NAME size=N sha256=H                   for a text field of 100 characters or more
#   name=NAME filename=F type=T size=N sha256=H for a file
import cgi, hashlib, sys

form = cgi.FieldStorage()
sys.stdout.write("Content-Type: text/plain\n\n")
for item in form.list or []:
    if item.filename is not None:
        data = item.file.read()
        sys.stdout.write("name=%s filename=%s type=%s size=%d sha256=%s\n" % (
            item.name, item.filename, item.type, len(data), hashlib.sha256(data).hexdigest()))
    elif len(item.value) >= 100:
        data = item.value.encode()
        sys.stdout.write("name=%s size=%d sha256=%s\n" % (item.name, len(data), hashlib.sha256(data).hexdigest()))
    else:
        sys.stdout.write("name=%s value=%s\n" % (item.name, item.value))
