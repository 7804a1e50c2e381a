#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what Hatake Desktop needs on Debian 12. "build" installs what builds and runs the app;
# "test" adds the services and tools the test suites use (registry, Xvfb, fixture builders, clang
# and its libFuzzer for the fuzz suite).
set -eu
what=${1:-build}
build_pkgs="meson ninja-build pkg-config gcc gettext libglib2.0-dev libglib2.0-bin libsoup-3.0-dev \
  libjson-glib-dev libarchive-dev libseccomp-dev libmount-dev libyaml-dev nettle-dev libgtk-4-dev libadwaita-1-dev \
  desktop-file-utils appstream crun runc conmon netavark aardvark-dns iptables golang-github-containers-common tini \
  procps"
test_pkgs="docker-registry busybox-static xvfb xauth dbus python3 python3-cryptography \
  zstd gzip tar curl openssl valgrind apache2-utils tmux docker.io iproute2 \
  docker-compose python3-docker pass golang-docker-credential-helpers openssh-client openssh-server podman \
  clang libclang-rt-14-dev"
pkgs=$build_pkgs
[ "$what" = test ] && pkgs="$build_pkgs $test_pkgs"
[ "$what" = bench ] && pkgs="$build_pkgs $test_pkgs skopeo podman debootstrap time"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# The tests use docker's CLI, not its daemon: installing docker.io must not start (or enable)
# dockerd, which would add its bridge and firewall rules to the machine; nor openssh-server a
# system sshd on port 22 (the ssh:// tests start their own, on loopback).
no_daemon=""
case " $missing " in
  *" docker.io "*|*" openssh-server "*)
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
      $SUDO chmod +x /usr/sbin/policy-rc.d
      no_daemon=1
      trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    fi ;;
esac
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
if [ -n "$no_daemon" ]; then
  $SUDO rm -f /usr/sbin/policy-rc.d
  if command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable docker.service docker.socket ssh.service ssh.socket >/dev/null 2>&1 || true
  fi
fi
