"""Drives headless Chromium through the example site over the Chrome DevTools protocol.

Usage: drive.py BASE_URL OUTPUT_FOLDER
Loads the index, submits the name/address form (first incomplete, then complete), ticks
checkboxes, uploads a real file through the upload page (XMLHttpRequest with progress),
asks the JSON API for a greeting from its page (fetch), sends the CSRF-protected contact form
(the flash message shows once; a post without the token gets 403), checks that the example
pages share the site's stylesheet, and keeps screenshots of the index and of the form,
checkbox, upload, API and contact results. Exits 1 with a message on the first
failed check.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # pip: websocket-client

TIMEOUT = 60  # seconds for any one step (a .swift page's first request compiles it)


class Browser:
    """A headless Chromium with one page, driven by DevTools commands."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="swift-cgi-chromium-")
        self.process = subprocess.Popen(
            [shutil.which("chromium") or "chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             f"--user-data-dir={self.profile}", "--window-size=1000,800", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + TIMEOUT
        while not os.path.exists(port_file):
            if time.time() > deadline:
                fail("Chromium did not open its DevTools port")
            time.sleep(0.1)
        time.sleep(0.2)
        port = open(port_file).read().split()[0]
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(p for p in pages if p["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=TIMEOUT)
        self.next_id = 0
        self.events = []
        self.command("Page.enable")
        self.command("DOM.enable")

    def command(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    fail(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message.get("method"))

    def wait_for_load(self, action):
        """Runs action (a function) and waits for the page load it causes."""
        self.events.clear()
        action()
        deadline = time.time() + TIMEOUT
        while "Page.loadEventFired" not in self.events:
            if time.time() > deadline:
                fail("the page did not load")
            message = json.loads(self.socket.recv())
            self.events.append(message.get("method"))

    def open(self, url):
        self.wait_for_load(lambda: self.command("Page.navigate", url=url))

    def evaluate(self, expression):
        result = self.command("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            fail(f"script error in {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def text(self):
        return self.evaluate("document.body.innerText")

    def wait_until(self, expression, what):
        deadline = time.time() + TIMEOUT
        while not self.evaluate(expression):
            if time.time() > deadline:
                fail(f"timed out waiting for {what}; the page says:\n{self.text()}")
            time.sleep(0.1)

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def check_styled(browser, output, name):
    """Checks that the page uses the site's stylesheet (not the browser's serif default) and keeps a screenshot."""
    sheets = browser.evaluate("[...document.styleSheets].map(s => s.href || '')")
    font = browser.evaluate("getComputedStyle(document.body).fontFamily")
    check(any(href.endswith("/style.css") for href in sheets) and "serif" not in font.replace("sans-serif", ""),
          f"the {name} page uses the shared stylesheet (font: {font})")
    shot = browser.command("Page.captureScreenshot", format="png")["data"]
    with open(os.path.join(output, f"{name}.png"), "wb") as file:
        file.write(base64.b64decode(shot))


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def check(condition, message, page_text=""):
    if not condition:
        fail(f"{message}\n--- page text ---\n{page_text}")
    print(f"ok: {message}")


def main():
    base, output = sys.argv[1].rstrip("/"), sys.argv[2]
    os.makedirs(output, exist_ok=True)
    browser = Browser()
    try:
        browser.open(base + "/")
        links = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.pathname)")
        for script in ["hello.swift", "form.swift", "checkboxes.swift", "upload.swift", "api.swift", "contact.swift",
                       "environment.swift", "error.swift", "hello.sh", "hello.py"]:
            check(f"/cgi-bin/{script}" in links, f"the index links {script}")
        check("/api.html" in links, "the index links api.html")
        check_styled(browser, output, "index")

        browser.open(base + "/cgi-bin/hello.swift?name=Chromium")
        check(browser.text().strip() == "Hello, Chromium!", "hello.swift greets by name", browser.text())

        browser.open(base + "/cgi-bin/form.swift")
        browser.evaluate("document.querySelector('[name=name]').value = 'Ada Lovelace'")
        browser.wait_for_load(lambda: browser.evaluate("document.querySelector('form').submit()"))
        text = browser.text()
        check("Please fill in your address." in text, "the form says the address is missing", text)
        check(browser.evaluate("document.querySelector('[name=name]').value") == "Ada Lovelace",
              "the form keeps the name typed so far", text)
        browser.evaluate("document.querySelector('[name=address]').value = '12 St James\\'s Square\\nLondon'")
        browser.wait_for_load(lambda: browser.evaluate("document.querySelector('button').click()"))
        text = browser.text()
        check("Thank you, Ada Lovelace." in text and "London" in text, "the complete form is accepted", text)
        check_styled(browser, output, "form-result")

        browser.open(base + "/cgi-bin/checkboxes.swift")
        browser.evaluate("for (const v of ['cheese', 'olives']) document.querySelector(`[value=${v}]`).checked = true")
        browser.wait_for_load(lambda: browser.evaluate("document.querySelector('button').click()"))
        text = browser.text()
        check("You chose 2: cheese, olives." in text, "both ticked boxes arrive under one name", text)
        check_styled(browser, output, "checkboxes-result")

        upload(browser, base, output)
        api(browser, base, output)
        contact(browser, base, output)
    finally:
        browser.close()
    print(f"screenshots: {output}/*.png")
    print("all browser checks passed")


def upload(browser, base, output):
    contents = os.urandom(3 << 20)
    digest = hashlib.sha256(contents).hexdigest()
    path = os.path.join(tempfile.mkdtemp(prefix="swift-cgi-upload-"), "random data.bin")
    with open(path, "wb") as file:
        file.write(contents)

    browser.open(base + "/cgi-bin/upload.swift")
    document = browser.command("DOM.getDocument")["root"]["nodeId"]
    input_node = browser.command("DOM.querySelector", nodeId=document, selector="input[type=file]")["nodeId"]
    browser.command("DOM.setFileInputFiles", nodeId=input_node, files=[path])
    # Watch the progress bar; a variable on window also survives only if no page load happens
    # (the XMLHttpRequest route, not the plain form post).
    browser.evaluate("""
        window.progressSeen = [];
        new MutationObserver(() => {
            const bar = document.getElementById('progress');
            if (bar) window.progressSeen.push([bar.value, bar.max]);
        }).observe(document.getElementById('progress'), {attributes: true});
        document.querySelector('button').click();
    """)
    browser.wait_until("document.title === 'Uploaded'", "the upload result")
    text = browser.text()
    check("random data.bin" in text, "the result names the file", text)
    check("application/octet-stream" in text, "the result gives the type", text)
    check(f"{len(contents)} bytes" in text, "the result gives the size", text)
    check(digest in text, "the result gives the SHA-256 of the bytes sent", text)
    progress = browser.evaluate("window.progressSeen")
    check(progress is not None, "the upload went through XMLHttpRequest (no page load)")
    check(any(value == total and total >= len(contents) for value, total in progress),
          f"the progress bar reached the whole body ({len(progress)} updates)")
    check_styled(browser, output, "upload-result")


def api(browser, base, output):
    browser.open(base + "/api.html")
    browser.wait_until("document.getElementById('description').textContent.includes('usage')",
                       "the API's description (a GET)")
    browser.evaluate("document.querySelector('[name=name]').value = 'Chromium'")
    browser.evaluate("window.stillHere = true; document.querySelector('button').click()")
    browser.wait_until("!document.getElementById('result').hidden", "the API's answer")
    answer = browser.evaluate("document.getElementById('result').textContent")
    check(answer == "Hello, Chromium!", "api.html shows the greeting api.swift sent", browser.text())
    check(browser.evaluate("window.stillHere === true"), "the greeting came through fetch (no page load)")
    check_styled(browser, output, "api-result")


def contact(browser, base, output):
    message = "Hello from Chromium"
    browser.open(base + "/cgi-bin/contact.swift")
    browser.evaluate(f"document.querySelector('[name=message]').value = {json.dumps(message)}")
    browser.wait_for_load(lambda: browser.evaluate("document.querySelector('button').click()"))
    text = browser.text()
    check(f"Thank you! Your message of {len(message)} characters was sent." in text,
          "the contact form redirects to a page with the flash message", text)
    check(browser.evaluate("performance.getEntriesByType('navigation')[0].redirectCount") == 1,
          "the post was answered with a redirect (POST-redirect-GET)", text)
    check_styled(browser, output, "contact-result")

    browser.wait_for_load(lambda: browser.command("Page.reload"))
    text = browser.text()
    check("Thank you!" not in text and "Message" in text, "after a reload the flash message is gone", text)

    # A forged post: the same form, with the session cookie, but without the CSRF token.
    browser.wait_for_load(lambda: browser.evaluate("""
        document.querySelector('[name=csrf_token]').remove();
        document.querySelector('[name=message]').value = 'forged';
        document.querySelector('form').submit();
    """))
    text = browser.text()
    status = browser.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")
    check(status == 403 and "403: this form was not sent from this site" in text,
          f"a post without the CSRF token is refused with 403 (status {status})", text)
    check_styled(browser, output, "contact-forged")


if __name__ == "__main__":
    main()
