"""Drives headless Chromium through the guestbook (Tests/browser/drive.py's browser).

Usage: browser.py SITE_URL OUTPUT_FOLDER ADMIN_PASSWORD
The site's index links the guestbook; a post with an image shows the flash message, the entry
and the image; its author edits it; the admin logs in and hides it, and it leaves the public
page; the Atom feed lists the entries still shown. Screenshots go to OUTPUT_FOLDER/guestbook-*.png.
"""
import base64
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client import png  # noqa: E402
from drive import Browser, check, check_styled  # noqa: E402


def set_value(browser, selector, value):
    browser.evaluate(f"document.querySelector({selector!r}).value = {value!r}")


def main():
    site, output, password = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    base = site + "/cgi-bin/guestbook"
    os.makedirs(output, exist_ok=True)
    picture = os.path.join(tempfile.mkdtemp(prefix="guestbook-"), "sunset.png")
    with open(picture, "wb") as file:
        file.write(png(64, 48, (230, 120, 40)))
    browser = Browser()
    try:
        browser.open(site + "/")
        links = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.pathname)")
        check("/cgi-bin/guestbook/" in links, "the site's index links the guestbook")

        browser.open(base + "/")
        set_value(browser, "[name=name]", "Grace Hopper")
        set_value(browser, "[name=message]", "Hello from <Chromium> & friends")
        document = browser.command("DOM.getDocument")["root"]["nodeId"]
        node = browser.command("DOM.querySelector", nodeId=document, selector="input[type=file]")["nodeId"]
        browser.command("DOM.setFileInputFiles", nodeId=node, files=[picture])
        browser.wait_for_load(lambda: browser.evaluate("document.querySelector('#post-form button').click()"))
        text = browser.text()
        check(browser.evaluate("location.pathname") == "/cgi-bin/guestbook/", "the post redirects to the list")
        check("Thank you, Grace Hopper!" in text, "the flash message thanks the author", text)
        check("Hello from <Chromium> & friends" in text, "the entry shows its message as text", text)
        browser.wait_until("[...document.images].some(i => i.complete && i.naturalWidth === 64)", "the posted image")
        check(True, "the image is served back and shown (64 px wide)")
        check_styled(browser, output, "guestbook-posted")

        browser.wait_for_load(lambda: browser.evaluate(
            "[...document.querySelectorAll('.entry a')].find(a => a.textContent === 'Edit').click()"))
        check(browser.evaluate("document.querySelector('[name=message]').value") == "Hello from <Chromium> & friends",
              "the edit form holds the entry")
        set_value(browser, "[name=message]", "Edited: hello again")
        browser.wait_for_load(lambda: browser.evaluate("document.querySelector('#post-form button').click()"))
        text = browser.text()
        check("Your entry is changed." in text and "Edited: hello again" in text and "(edited)" in text,
              "the edit is saved and announced", text)
        check_styled(browser, output, "guestbook-edited")

        set_value(browser, "[name=name]", "Ada")
        set_value(browser, "[name=message]", "A second entry, which stays")
        browser.wait_for_load(lambda: browser.evaluate("document.querySelector('#post-form button').click()"))
        check("A second entry, which stays" in browser.text(), "a second entry is posted")

        browser.open(base + "/admin")
        set_value(browser, "[name=password]", password)
        browser.wait_for_load(lambda: browser.evaluate("document.querySelector('#login-form button').click()"))
        text = browser.text()
        check("You are logged in as the admin." in text and "Edited: hello again" in text,
              "the admin logs in and sees the entries", text)
        browser.wait_for_load(lambda: browser.evaluate(
            "[...document.querySelectorAll('.entry')].find(e => e.textContent.includes('Edited: hello again'))"
            ".querySelector('button').click()"))
        text = browser.text()
        check("is hidden." in text and "(hidden)" in text, "the admin hides the entry", text)
        check_styled(browser, output, "guestbook-admin")

        browser.open(base + "/")
        text = browser.text()
        check("Edited: hello again" not in text, "the hidden entry is gone from the public page", text)

        feed = browser.evaluate(f"fetch({base + '/feed.atom'!r}).then(r => r.text())")
        check(feed.startswith("<?xml") and "A second entry, which stays" in feed and "Edited: hello again" not in feed,
              "the Atom feed lists the shown entry and leaves the hidden one out")
        browser.open(base + "/feed.atom")
        shot = browser.command("Page.captureScreenshot", format="png")["data"]
        with open(os.path.join(output, "guestbook-feed.png"), "wb") as file:
            file.write(base64.b64decode(shot))
    finally:
        browser.close()
    print(f"screenshots: {output}/guestbook-*.png")
    print("all guestbook browser checks passed")


if __name__ == "__main__":
    main()
