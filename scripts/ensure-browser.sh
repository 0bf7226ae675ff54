#!/usr/bin/env bash
# scripts/ensure-browser.sh — make sure headless Chromium and its chromedriver are there for the
# explorer's browser tests (tests/serve); scripts/test.sh runs it before pytest. Idempotent: when
# both are found it does nothing.
#
# Found:   $KG_CHROMIUM / $KG_CHROMEDRIVER, else `chromium` and `chromedriver` on PATH.
# Missing: installs Debian's `chromium` and `chromium-driver` with apt-get (as root, or through
#          sudo without a password); otherwise it says what to install and exits 2.
#
# Example:
#   scripts/ensure-browser.sh && chromium --version
set -euo pipefail

log() { echo "ensure-browser: $*" >&2; }

have() {
  local env_value="$1" name="$2"
  if [[ -n "$env_value" ]]; then [[ -x "$env_value" ]]; else command -v "$name" >/dev/null 2>&1; fi
}

if have "${KG_CHROMIUM:-}" chromium && have "${KG_CHROMEDRIVER:-}" chromedriver; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "no apt-get here: install Chromium and its chromedriver, or set KG_CHROMIUM and KG_CHROMEDRIVER"
  exit 2
fi
if [[ "$(id -u)" == 0 ]]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  log "chromium and chromium-driver are missing and installing them needs root: sudo apt-get install chromium chromium-driver"
  exit 2
fi

log "installing chromium and chromium-driver with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq >&2
"${run[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver >&2
have "" chromium && have "" chromedriver || { log "apt-get ran but chromium or chromedriver is still missing"; exit 2; }
log "ready: $(chromium --version 2>/dev/null | head -1)"
