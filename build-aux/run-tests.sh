#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's test command: installs what the tests need, builds, starts the services they use
# (a real registry with token and Basic auth, fixture images, an X server) and runs every suite:
# unit, integration, data and app on a normal build, then the unit and integration suites under
# AddressSanitizer/UBSan and the unit suite under valgrind. Prints "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

build-aux/install-deps.sh test

state=$(mktemp -d /tmp/hatake-tests.XXXXXX)
xvfb_pid=""
cgroups_fixed=""
cleanup () {
  build-aux/test-services.sh stop "$state/services" >/dev/null 2>&1 || true
  [ -n "$cgroups_fixed" ] && HATAKE_CGROUPS_STATE="$state/cgroups.list" build-aux/fix-cgroups.sh --undo >/dev/null 2>&1 || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT INT TERM

setup () {  # DIR [meson options…]
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
  ninja -C "$dir"
}

setup _build
setup _build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

build-aux/test-services.sh start "$state/services"

# Containers run on both runtimes: crun needs a cgroup layout it accepts (MACHINE-NOTES); move
# what the cgroup2 mount owns to v1 for the run, and put it back afterwards.
if [ "$(id -u)" -eq 0 ]; then
  HATAKE_CGROUPS_STATE="$state/cgroups.list" build-aux/fix-cgroups.sh && cgroups_fixed=1
fi
# shellcheck disable=SC1091
. "$state/services/env"

# An X server of our own for the UI tests, on the first free display.
if [ -z "${DISPLAY:-}" ] || [ "${CI:-}" = true ]; then
  for n in $(seq 90 120); do
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] && continue
    Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$state/xvfb.log" 2>&1 &
    xvfb_pid=$!
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
    export DISPLAY=":$n"
    break
  done
fi

status=0
run () {  # LABEL BUILDDIR [meson test options…]
  local label=$1 dir=$2; shift 2
  echo "== $label"
  meson test -C "$dir" --print-errorlogs "$@" || status=1
  python3 - "$dir/meson-logs/testlog.json" "$label" >>"$state/summary" <<'PY'
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        counts["OK"] += 1
    elif r == "SKIP":
        counts["SKIP"] += 1
    else:
        counts["FAIL"] += 1
print(counts["OK"], counts["FAIL"], counts["SKIP"])
PY
}

run "default build: every suite" _build --suite unit --suite integration --suite data --suite app
# load (tests/test-load.c): one hatake serve under 20 concurrent clients, then its leaks; ~1-3 min
run "default build: load" _build --suite load
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run "AddressSanitizer + UBSan: unit and integration" _build-asan --suite unit --suite integration
run "valgrind: unit" _build --setup valgrind --suite unit --no-suite no-valgrind

read -r passed failed skipped < <(awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}' "$state/summary")
echo
echo "hatake-tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
