#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Starts and stops the services the integration tests talk to, all on loopback, no internet:
#   - an anonymous registry (Debian's docker-registry, distribution 2.8), delete enabled;
#   - a registry with Basic auth (htpasswd, bcrypt);
#   - a registry with token auth, and build-aux/token-server.py as its token service;
# then pushes the fixture images (build-aux/make-fixtures.py) and writes STATE_DIR/env.
#
#   build-aux/test-services.sh start STATE_DIR   # then: . STATE_DIR/env
#   build-aux/test-services.sh stop STATE_DIR
#   build-aux/test-services.sh large STATE_DIR   # also push hatake/large:latest (benchmarks)
#
# Everything (storage, configs, keys, logs, pid files) lives in STATE_DIR.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
USER_NAME=hatake
USER_PASSWORD=hatake-secret
SERVICE=hatake-registry
ISSUER=hatake-token-issuer

usage() { echo "usage: $0 start|stop|large STATE_DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
state=$(realpath -m "$2")

log() { echo "test-services: $*" >&2; }

# A free loopback port. The kernel picks it; another process could take it before our server
# binds, so start_registry retries with a new port when the server does not come up.
free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# pid_alive NAME: true when STATE/NAME.pid names a live process started from this state dir
# (the command line check guards against a recycled pid).
pid_alive() {
  local f=$state/$1.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  running "$pid" && tr '\0' ' ' < /proc/"$pid"/cmdline 2>/dev/null | grep -qF -- "$state"
}

# running PID: true while PID exists and is not a zombie. Our servers outlive this script and are
# reparented to PID 1, which may reap them late; a zombie has already exited and freed its port.
running() {
  local st
  st=$(sed 's/.*) //' /proc/"$1"/stat 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

stop_one() {
  local name=$1 pid
  if pid_alive "$name"; then
    pid=$(cat "$state/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      running "$pid" || break
      sleep 0.05
    done
    if running "$pid"; then
      log "$name ($pid) ignored SIGTERM, killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$state/$name.pid"
}

stop_all() {
  local name
  for name in registry-anon registry-basic registry-token token-server; do
    stop_one "$name"
  done
}

# wait_http URL NAME: until the service answers any HTTP status (401 counts), or fail.
wait_http() {
  local url=$1 name=$2
  for _ in $(seq 100); do
    if curl -s -o /dev/null -m 2 "$url"; then return 0; fi
    pid_alive "$name" || return 1
    sleep 0.1
  done
  return 1
}

# write_registry_config NAME PORT AUTH_YAML: one config per registry, its own storage.
write_registry_config() {
  local name=$1 port=$2 auth=$3
  mkdir -p "$state/$name/storage"
  cat > "$state/$name/config.yml" <<EOF
version: 0.1
log:
  level: info
  fields:
    service: $name
storage:
  filesystem:
    rootdirectory: $state/$name/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: hatake-test-secret-$name
  headers:
    X-Content-Type-Options: [nosniff]
$auth
EOF
}

# start_registry NAME AUTH_YAML: prints the port once the registry answers.
start_registry() {
  local name=$1 auth=$2 port attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    write_registry_config "$name" "$port" "$auth"
    nohup /usr/bin/docker-registry serve "$state/$name/config.yml" \
      >> "$state/$name.log" 2>&1 < /dev/null &
    echo $! > "$state/$name.pid"
    if wait_http "http://127.0.0.1:$port/v2/" "$name"; then
      echo "$port"
      return 0
    fi
    log "$name did not come up on port $port (attempt $attempt), see $state/$name.log"
    stop_one "$name"
  done
  return 1
}

start_token_server() {
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    nohup $PY "$here/token-server.py" --port "$port" \
      --key "$state/token/token.key" --cert "$state/token/token.crt" \
      --forge-key "$state/token/forged.key" --issuer "$ISSUER" --service "$SERVICE" \
      --user "$USER_NAME" --password "$USER_PASSWORD" \
      >> "$state/token-server.log" 2>&1 < /dev/null &
    echo $! > "$state/token-server.pid"
    if wait_http "http://127.0.0.1:$port/healthz" token-server; then
      echo "$port"
      return 0
    fi
    log "token-server did not come up on port $port (attempt $attempt)"
    stop_one token-server
  done
  return 1
}

start() {
  mkdir -p "$state"
  if pid_alive registry-anon || pid_alive token-server; then
    log "services already running in $state; stop them first"
    exit 1
  fi
  # On any failure, take down what was started so no process is left behind.
  trap 'log "start failed; logs in $state"; stop_all' ERR

  # Keys for the token service: the signing key's self-signed certificate is the registry's
  # rootcertbundle; a second key, unknown to the registry, signs forged tokens.
  mkdir -p "$state/token"
  if [ ! -f "$state/token/token.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$ISSUER" \
      -keyout "$state/token/token.key" -out "$state/token/token.crt" 2>/dev/null
    openssl genrsa -out "$state/token/forged.key" 2048 2>/dev/null
  fi
  htpasswd -Bbc "$state/htpasswd" "$USER_NAME" "$USER_PASSWORD" 2>/dev/null

  local anon basic token tokensrv
  anon=$(start_registry registry-anon "")
  basic=$(start_registry registry-basic "auth:
  htpasswd:
    realm: hatake-basic
    path: $state/htpasswd")
  tokensrv=$(start_token_server)
  token=$(start_registry registry-token "auth:
  token:
    realm: http://127.0.0.1:$tokensrv/token
    service: $SERVICE
    issuer: $ISSUER
    rootcertbundle: $state/token/token.crt")
  log "registries: anonymous $anon, basic $basic, token $token; token service $tokensrv"

  $PY "$here/make-fixtures.py" --registry "127.0.0.1:$anon" \
    --storage "$state/registry-anon/storage" \
    --basic "127.0.0.1:$basic" --token "127.0.0.1:$token" \
    --user "$USER_NAME" --password "$USER_PASSWORD" --out "$state/fixtures.json" >&2

  cat > "$state/env" <<EOF
export HATAKE_TEST_REGISTRY=127.0.0.1:$anon
export HATAKE_TEST_REGISTRY_BASIC=127.0.0.1:$basic
export HATAKE_TEST_REGISTRY_TOKEN=127.0.0.1:$token
export HATAKE_TEST_TOKEN_SERVICE=http://127.0.0.1:$tokensrv/token
export HATAKE_TEST_TOKEN_SERVICE_NAME=$SERVICE
export HATAKE_TEST_USER=$USER_NAME
export HATAKE_TEST_PASSWORD=$USER_PASSWORD
export HATAKE_TEST_FIXTURES=$state/fixtures.json
export HATAKE_TEST_REGISTRY_STORAGE=$state/registry-anon/storage
EOF
  trap - ERR
  log "ready: . $state/env"
}

large() {
  [ -f "$state/env" ] || { log "start the services first"; exit 1; }
  # shellcheck disable=SC1091
  . "$state/env"
  $PY "$here/make-fixtures.py" --large --registry "$HATAKE_TEST_REGISTRY" \
    --out "$state/fixtures.json" --workdir "$state/large-work"
}

case $cmd in
  start) start ;;
  stop) [ -d "$state" ] && stop_all; rm -f "$state/env" ;;
  large) large ;;
  *) usage ;;
esac
