#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The unit parses (systemd-analyze verify) and starts the hatake it installs with the API socket.
set -eu
analyze=$1 unit=$2
grep -q '^ExecStart=/.*/hatake serve -H unix:///run/hatake/hatake.sock$' "$unit" || { echo "not ok: ExecStart"; exit 1; }
# verify complains about the binary not being installed yet: only syntax errors fail here
out=$("$analyze" verify "$unit" 2>&1 || true)
echo "$out"
if echo "$out" | grep -qiE 'unknown (key|section)|failed to parse|invalid'; then
  echo "not ok: $unit does not parse"; exit 1
fi
