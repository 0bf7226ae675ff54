#!/usr/bin/env bash
# scripts/test.sh [PYTEST ARGS...] — THE test command of kg: the whole suite against a real Neo4j.
#
# Why: the Neo4j tests never skip, so the test command brings its own Neo4j:
#   1. NEO4J_URI set      -> use that server (NEO4J_PASSWORD must be set too);
#   2. a Docker engine    -> `docker compose up` of docker-compose.yml under a throw-away
#                            project name, a free port and a generated password;
#   3. otherwise          -> scripts/neo4j-local with a temporary KG_NEO4J_HOME, a free
#                            port and a generated password (needs Java 17 and Maven).
# Before that it runs scripts/ensure-browser.sh (Chromium + chromedriver for tests/serve).
# It exports NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD / NEO4J_DATABASE, runs
# `python -m pytest` over the whole suite, stops what it started (also when the tests
# fail or are interrupted) and exits with pytest's code. "No tests collected" (pytest's 5)
# is a failure.
#
# Python: $PYTHON, else the active virtualenv, else ./.venv, else python3; kg must be
# installed there (`pip install -e ".[dev]"`; .ci/run does it on a bare machine).
#
# Example:
#   scripts/test.sh                 # everything
#   scripts/test.sh tests/store -q  # a part, still with a Neo4j
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

log() { echo "test.sh: $*" >&2; }

pick_python() {
  if [[ -n "${PYTHON:-}" ]]; then echo "$PYTHON"
  elif [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/python" ]]; then echo "$VIRTUAL_ENV/bin/python"
  elif [[ -x "$REPO/.venv/bin/python" ]]; then echo "$REPO/.venv/bin/python"
  else echo python3
  fi
}
PY="$(pick_python)"
"$PY" -c "import kg" 2>/dev/null \
  || { log "kg is not importable with $PY: run pip install -e \".[dev]\" in a virtualenv (or use .ci/run)"; exit 2; }

# The explorer's browser tests (tests/serve) need headless Chromium and chromedriver.
"$REPO/scripts/ensure-browser.sh" || { log "no browser for tests/serve (see scripts/ensure-browser.sh)"; exit 2; }

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
new_password() { "$PY" -c 'import secrets; print("kg-" + secrets.token_urlsafe(18))'; }

STARTED=""          # what cleanup must stop: "", "docker" or "local"
COMPOSE_PROJECT=""
LOCAL_HOME=""

cleanup() {
  local rc=$?
  case "$STARTED" in
    docker)
      log "stopping Docker Neo4j ($COMPOSE_PROJECT)"
      docker compose -p "$COMPOSE_PROJECT" -f "$REPO/docker-compose.yml" down -v >/dev/null 2>&1 || true ;;
    local)
      log "stopping local Neo4j"
      KG_NEO4J_HOME="$LOCAL_HOME" "$REPO/scripts/neo4j-local" stop >&2 || true
      rm -rf "$LOCAL_HOME" ;;
  esac
  STARTED=""
  exit "$rc"
}
# pytest runs in the background so that a signal reaches this script at once (bash
# defers traps while a foreground child runs); the handler ends pytest, then cleanup runs.
PYTEST_PID=""
on_signal() {
  if [[ -n "$PYTEST_PID" ]]; then
    kill -TERM "$PYTEST_PID" 2>/dev/null || true
    wait "$PYTEST_PID" 2>/dev/null || true
  fi
  exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

start_docker() {
  COMPOSE_PROJECT="kgtest$$"
  export NEO4J_PASSWORD; NEO4J_PASSWORD="$(new_password)"
  export KG_NEO4J_PORT KG_NEO4J_HTTP_PORT
  KG_NEO4J_PORT="$(free_port)"; KG_NEO4J_HTTP_PORT="$(free_port)"
  log "starting Neo4j with docker compose (project $COMPOSE_PROJECT, Bolt port $KG_NEO4J_PORT)"
  STARTED=docker
  docker compose -p "$COMPOSE_PROJECT" -f "$REPO/docker-compose.yml" up -d --wait neo4j >&2
  export NEO4J_URI="bolt://127.0.0.1:$KG_NEO4J_PORT"
}

start_local() {
  LOCAL_HOME="$(mktemp -d "${TMPDIR:-/tmp}/kg-neo4j-test.XXXXXX")"
  export NEO4J_PASSWORD; NEO4J_PASSWORD="$(new_password)"
  local port; port="$(free_port)"
  log "no NEO4J_URI and no Docker engine: starting Neo4j from Maven jars (scripts/neo4j-local, port $port)"
  STARTED=local
  KG_NEO4J_HOME="$LOCAL_HOME" KG_NEO4J_PORT="$port" "$REPO/scripts/neo4j-local" start >&2
  export NEO4J_URI="bolt://127.0.0.1:$port"
}

if [[ -n "${NEO4J_URI:-}" ]]; then
  [[ -n "${NEO4J_PASSWORD:-}" ]] || { log "NEO4J_URI is set but NEO4J_PASSWORD is not"; exit 2; }
  log "using the Neo4j at $NEO4J_URI"
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  start_docker
else
  start_local
fi
export NEO4J_USERNAME="${NEO4J_USERNAME:-neo4j}" NEO4J_DATABASE="${NEO4J_DATABASE:-neo4j}"

rc=0
if { true <&0; } 2>/dev/null; then
  "$PY" -m pytest "$@" 0<&0 &   # keep the terminal as stdin (for --pdb)
else
  "$PY" -m pytest "$@" </dev/null &   # CI may run with stdin closed
fi
PYTEST_PID=$!
wait "$PYTEST_PID" || rc=$?
PYTEST_PID=""
if (( rc == 5 )); then
  log "pytest collected no tests: that is a failure"
  rc=1
fi
exit "$rc"
