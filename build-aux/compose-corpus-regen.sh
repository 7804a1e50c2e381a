#!/bin/sh
# compose-corpus-regen.sh: writes the expected-1.29.yaml of the compose corpus with Debian's
# docker-compose 1.29 (the oracle for values), never with hatake's own output.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/compose-corpus-regen.sh [CASE…]   (default: every case that has an
# expected-1.29.yaml already; name a new case to create its file)
#
# Each case runs in its folder, in an environment of PATH and the case's `environ` lines only,
# with `-p corpus` and one -f per line of the case's `files` (none: compose.yaml and its
# override, as compose finds them). The corpus folder's absolute path becomes @CORPUS@, which
# tests/test-compose-corpus.c puts back.
set -eu

corpus=$(cd "$(dirname "$0")/../tests/compose-corpus" && pwd)
compose=${DOCKER_COMPOSE:-/usr/bin/docker-compose}
"$compose" version | grep -q '^docker-compose version 1\.29\.' ||
  { echo "$0: $compose is not docker-compose 1.29" >&2; exit 1; }

if [ $# -eq 0 ]; then
  set -- $(cd "$corpus" && ls -d */expected-1.29.yaml | sed 's,/.*,,')
fi

for case in "$@"; do
  dir=$corpus/$case
  set --
  if [ -f "$dir/files" ]; then
    while read -r f; do set -- "$@" -f "$f"; done < "$dir/files"
  fi
  vars=
  if [ -f "$dir/environ" ]; then
    vars=$(cat "$dir/environ")
  fi
  (cd "$dir" &&
   IFS='
' && env -i PATH=/usr/bin:/bin $vars "$compose" -p corpus "$@" config) > "$dir/expected-1.29.yaml.tmp"
  sed "s|$corpus|@CORPUS@|g" "$dir/expected-1.29.yaml.tmp" > "$dir/expected-1.29.yaml"
  rm "$dir/expected-1.29.yaml.tmp"
  echo "$case"
done
