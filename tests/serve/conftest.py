"""Fixtures of the explorer tests: a seed store with one hostile paper, a running ``kg serve``, headless Chromium.

The browser is Debian's ``chromium`` with its ``chromedriver`` (scripts/ensure-browser.sh installs
them; the test command runs it), driven by selenium. A missing browser fails the tests, it never
skips them. ``KG_CHROMIUM`` and ``KG_CHROMEDRIVER`` name other binaries.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg
from kg.store import open_store

HOSTILE_ID = "hostile-0001"
HOSTILE_TITLE = "<script>alert(1)</script>"
# The abstract tries the other ways out of an HTML text or a <script> block; it names no GSM8K.
HOSTILE_ABSTRACT = (
    "We fine-tune with PPO on MATH-500 and report 51.2% accuracy <img src=x onerror=alert(2)>. "
    "A </script><script>alert(3)</script> and <!-- comment --> follow, with \"quotes\" & 'apostrophes'."
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def hostile_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.jsonl"
    record = {"id": HOSTILE_ID, "title": HOSTILE_TITLE, "abstract": HOSTILE_ABSTRACT}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def explorer_store(seed_corpus, hostile_file, tmp_path_factory) -> Path:
    """The seed corpus plus the hostile paper, built with ``kg.build``."""
    path = tmp_path_factory.mktemp("explorer") / "store"
    report = kg.build([seed_corpus, hostile_file], store=path)
    assert report.papers > 100, "the seed corpus gave too few papers"
    with open_store(path) as store:
        assert store.has_paper(HOSTILE_ID)
    return path


@pytest.fixture(scope="session")
def store(explorer_store):
    with open_store(explorer_store) as st:
        yield st


@pytest.fixture(scope="session")
def server(explorer_store, tmp_path_factory) -> Iterator[str]:
    """``kg serve`` in a subprocess on a free port; its base URL. Stopped at the end of the session."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--store", str(explorer_store), "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"kg serve did not start (exit {proc.returncode}):\n{log.read_text()}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _binary(env: str, names: tuple[str, ...], extra: tuple[str, ...] = ()) -> str:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    for path in extra:
        if os.access(path, os.X_OK):
            return path
    pytest.fail(f"no {names[0]} found (set {env}, or run scripts/ensure-browser.sh, which the test command runs)")


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Chromium through chromedriver, with the browser console recorded."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = _binary("KG_CHROMIUM", ("chromium", "chromium-browser", "google-chrome"))
    driver_path = _binary("KG_CHROMEDRIVER", ("chromedriver",), ("/usr/lib/chromium/chromedriver",))
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser):
    """The browser, with the console emptied before the test and checked for errors after it."""
    browser.get_log("browser")
    yield browser
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert errors == [], f"browser console errors: {errors}"
