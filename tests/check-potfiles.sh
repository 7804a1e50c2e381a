#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file with messages marked for translation is listed in po/POTFILES.in, and the
# list is sorted: a file missing there would stay English whatever the translators do.
set -eu
top=${1:?usage: check-potfiles.sh SOURCE_ROOT}
cd "$top"
status=0
for f in $(grep -lE '(^|[^A-Za-z0-9_])N?_ ?\(' src/*/*.c | sort); do
  grep -qx "$f" po/POTFILES.in || { echo "not ok: $f has translatable strings but is not in po/POTFILES.in"; status=1; }
done
grep -v '^#' po/POTFILES.in | sed '/^$/d' > /tmp/potfiles.$$
sort -c /tmp/potfiles.$$ 2>/dev/null || { echo "not ok: po/POTFILES.in is not sorted"; status=1; }
while read -r f; do
  [ -e "$f" ] || { echo "not ok: po/POTFILES.in lists $f, which does not exist"; status=1; }
done < /tmp/potfiles.$$
rm -f /tmp/potfiles.$$
exit $status
