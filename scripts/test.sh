#!/usr/bin/env bash
# npm test: system packages, build, unit tests, browser tests (in Chromium, then in Firefox), the
# cross-engine suite (Chromium, Firefox, WebKit), the other suites, then one summary line.
# Every suite runs even when an earlier one fails, so one run reports every failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
npm run build

passed=0
failed=0
skipped=0
status=0

# Longest a suite may run: the longest, in Chromium, takes 8–12 min here, so a CI machine three
# times slower still passes, while a suite that hangs (even in its process's exit, after its last
# test) fails within CI's 90 min instead of holding the run until CI gives up. `timeout` kills
# the suite's whole process group, browsers included, with SIGKILL: puppeteer answers a SIGTERM
# by closing its browser, and mocha runs on.
SUITE_LIMIT_S=2700

# Runs one mocha suite, echoing its output and its time, and adds its counts to the totals.
# Variables given after the suite's name (NAME=value) are set for that suite alone.
run_suite() {
  local log suite_status=0 started=$SECONDS
  log=$(mktemp)
  env "${@:2}" timeout --signal=KILL "$SUITE_LIMIT_S" npm run --silent "$1" 2>&1 | tee "$log" || suite_status=$?
  if ((SECONDS - started >= SUITE_LIMIT_S)); then echo "$1 did not end within $SUITE_LIMIT_S s: stopped"; fi
  echo "$* took $((SECONDS - started)) s"
  # Mocha's closing lines, "N passing", "N failing", "N pending", with any colour codes removed.
  local summary suite_passed suite_failed suite_skipped
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  rm -f "$log"
  suite_passed=$(sed -n 's/^ *\([0-9][0-9]*\) passing.*/\1/p' <<<"$summary" | tail -n 1)
  suite_failed=$(sed -n 's/^ *\([0-9][0-9]*\) failing.*/\1/p' <<<"$summary" | tail -n 1)
  suite_skipped=$(sed -n 's/^ *\([0-9][0-9]*\) pending.*/\1/p' <<<"$summary" | tail -n 1)
  passed=$((passed + ${suite_passed:-0}))
  failed=$((failed + ${suite_failed:-0}))
  skipped=$((skipped + ${suite_skipped:-0}))
  if [[ $suite_status -ne 0 ]]; then
    status=1
    # A suite that crashed before its summary (a syntax error, a missing file) counts as a failure.
    if [[ -z $suite_failed ]]; then failed=$((failed + 1)); fi
  fi
}

run_suite test:unit
run_suite test:browser RESOCK_BROWSER=chromium
run_suite test:browser RESOCK_BROWSER=firefox
run_suite test:engines
run_suite test:node
run_suite test:server
run_suite test:types
run_suite test:broker
run_suite test:compat
run_suite test:demo
run_suite test:cluster

echo "total: $passed passed, $failed failed, $skipped skipped"
exit "$status"
