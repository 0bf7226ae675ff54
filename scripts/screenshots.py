#!/usr/bin/env python
"""Screenshots of the explorer's main pages for the README (docs/img/explorer-*.png).

Builds the seed store (tests/data/seed/trending_papers.txt) unless --store names one, starts
`kg serve` on a free port, and saves each page as headless Chromium draws it (selenium with
Debian's chromium and chromedriver: scripts/ensure-browser.sh installs them).

Example:
    .venv/bin/python scripts/screenshots.py                 # seed store, into docs/img/
    .venv/bin/python scripts/screenshots.py --store kg-out --out /tmp/shots
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "tests" / "data" / "seed" / "trending_papers.txt"
WIDTH = 1280
MAX_HEIGHT = 2000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"screenshots: kg serve did not start on port {port}")


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        raise SystemExit("screenshots: chromium and chromedriver are needed: run scripts/ensure-browser.sh")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={WIDTH},900", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def shoot(driver, url: str, path: Path, height: int | None = None) -> None:
    driver.set_window_size(WIDTH, 900)
    driver.get(url)
    if driver.find_elements("id", "graph"):
        for _ in range(100):
            if driver.execute_script("return !!window.kgGraph"):
                break
            time.sleep(0.1)
    full = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, height or min(full, MAX_HEIGHT))
    time.sleep(0.5)
    driver.save_screenshot(str(path))
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="store to show (default: the seed corpus, built now)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img", help="folder of the PNG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            import kg

            store = Path(tmp) / "seed"
            kg.build([SEED], store=store)
        from kg.store import open_store

        with open_store(store) as st:
            paper = st.query("leaderboard", dataset="GSM8K")[-1]["paper_id"]  # a paper with claims
        port = free_port()
        proc = start_server(store, port)
        driver = browser()
        base = f"http://127.0.0.1:{port}"
        try:
            shoot(driver, base + "/search?q=gsm", args.out / "explorer-search.png", 700)
            shoot(driver, base + "/entity/dataset:gsm8k", args.out / "explorer-entity.png")
            shoot(driver, base + f"/paper/{paper}", args.out / "explorer-paper.png")
            shoot(driver, base + "/entity/method:reinforcement-learning", args.out / "explorer-hub.png", 900)
            shoot(driver, base + "/query/leaderboard?dataset=GSM8K", args.out / "explorer-query.png", 800)
        finally:
            driver.quit()
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
