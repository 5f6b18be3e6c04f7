"""Opens cgi-server's status page in headless Chromium (Tests/browser/drive.py's Browser) and
keeps a screenshot.

Usage: status_page.py ADMIN_URL SERVER_URL REFERENCE SCREENSHOT.png
Keeps requests going to SERVER_URL meanwhile (bounded in count and time), so that the page
shows a request rate. Checks that the page shows its sections and the failed request's REFERENCE among the recent
errors, that it reloads itself, and that the JSON status agrees. Exits 1 on the first failed
check.
"""
import base64
import json
import os
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser"))
from drive import Browser, check  # noqa: E402


def main():
    admin, server, reference, screenshot = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/"), sys.argv[3], sys.argv[4]
    stop = threading.Event()

    def load():
        """At most 3000 requests, for at most 20 s, until the screenshot is taken."""
        deadline = time.time() + 20
        for index in range(3000):
            if stop.is_set() or time.time() > deadline:
                break
            path = "/cgi-bin/hello.sh" if index % 3 else "/index.html"
            urllib.request.urlopen(server + path, timeout=10).read()
            time.sleep(0.01)

    loader = threading.Thread(target=load, daemon=True)
    loader.start()
    status = json.load(urllib.request.urlopen(f"{admin}/status?format=json", timeout=30))
    check(any(e["request_id"] == reference for e in status["recent_errors"]),
          f"the JSON status lists {reference} among the recent errors")
    browser = Browser()
    try:
        browser.command("Emulation.setDeviceMetricsOverride", width=1000, height=900, deviceScaleFactor=1, mobile=False)
        browser.open(f"{admin}/status")
        text = browser.text()
        for section in ["requests/s", "Requests by responder", "Scripts", "Compile cache", "Resident pools",
                        "Recent errors"]:
            check(section in text, f"the status page shows {section!r}", text)
        check(reference in text, f"the status page lists {reference}", text)
        refresh = browser.evaluate("document.querySelector('meta[http-equiv=refresh]').content")
        check(refresh == "2", f"the page reloads itself every {refresh} s")
        # It reloads on its own: another load event comes without any navigation.
        started = time.time()
        browser.wait_for_load(lambda: None)
        check(time.time() - started < 10, f"the page reloaded itself after {time.time() - started:.1f} s")
        time.sleep(0.5)
        shot = browser.command("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(screenshot, "wb") as file:
            file.write(base64.b64decode(shot))
        print(f"screenshot: {screenshot}")
    finally:
        stop.set()
        loader.join(timeout=15)
        browser.close()


if __name__ == "__main__":
    main()
