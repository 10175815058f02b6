#!/usr/bin/env bash
# `npm test`: every test, browser and PostgreSQL passes included. Gets what it needs itself and
# fails loudly when it cannot; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Chromium for the browser tests (Debian's package; Playwright's own download cannot work offline).
if [ -z "${CHROMIUM_PATH:-}" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    echo "test: installing chromium from Debian's packages"
    as_root apt-get update -qq && as_root apt-get install -y -qq chromium >/dev/null
  fi
  export CHROMIUM_PATH=$(command -v chromium)
fi

# PostgreSQL for the second storage pass, unless the caller gives one.
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "test: installing postgresql from Debian's packages"
    as_root apt-get update -qq && as_root apt-get install -y -qq postgresql >/dev/null
  fi
  ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  fi
  port=$(pg_lsclusters -h | awk '$4=="online"{print $3; exit}')
  as_root su postgres -c "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='bloodbus'\"" | grep -q 1 || \
    as_root su postgres -c "psql -p $port -c \"CREATE ROLE bloodbus LOGIN SUPERUSER PASSWORD 'bloodbus'\"" >/dev/null
  as_root su postgres -c "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname='bloodbus_test'\"" | grep -q 1 || \
    as_root su postgres -c "createdb -p $port -O bloodbus bloodbus_test"
  export TEST_DATABASE_URL="postgres://bloodbus:bloodbus@127.0.0.1:$port/bloodbus_test"
fi

# The whole suite also runs the type-aware lint (floating promises), kept out of `npm run lint`
# for its cost (eslint.types.config.js says how much). It runs beside the tests, not before them:
# the tests leave part of the 2 cores idle (waiting on browsers, child servers, PostgreSQL), and a
# lint first kept one core idle for its whole run. Its output comes after the tests'; a finding
# still fails the run.
lint_pid=
if [ $# -eq 0 ]; then
  lint_log=$(mktemp)
  trap 'rm -f "$lint_log"' EXIT
  npm run -s lint:types >"$lint_log" 2>&1 &
  lint_pid=$!
fi

tests=0
npx vitest run "$@" || tests=$?

lint=0
if [ -n "$lint_pid" ]; then
  wait "$lint_pid" || lint=$?
  echo "lint:types:"
  cat "$lint_log"
  if [ "$lint" -ne 0 ]; then echo "test: lint:types failed ($lint)"; else echo "lint:types clean"; fi
fi
[ "$tests" -eq 0 ] && [ "$lint" -eq 0 ]
