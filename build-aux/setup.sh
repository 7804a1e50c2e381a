#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's first command: installs the dependencies, builds, installs under /usr/local and
# starts the app. As root the app hosts the engine itself; as a normal user it says what it needs.
set -eu
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
build-aux/install-deps.sh build
if [ -f _build/build.ninja ]; then meson setup --reconfigure _build >/dev/null; else meson setup _build; fi
ninja -C _build
$SUDO meson install -C _build --no-rebuild
[ "${HATAKE_NO_LAUNCH:-}" = 1 ] && exit 0
exec hatake-desktop "$@"
