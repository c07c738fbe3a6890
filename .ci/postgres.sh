#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for the store contract tests.
#   eval "$(bash .ci/postgres.sh)"   # exports END_CONVERSATION_TEST_PG (and a stop command)
# Installs Debian's postgresql if it is missing; the cluster lives in a temp dir.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$BIN" ]; then
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
    BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
PORT=${PGPORT_TEST:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DIR=$(mktemp -d /tmp/ec-pg.XXXXXX)
RUN_AS=()
if [ "$(id -u)" = "0" ]; then
    chown postgres "$DIR"
    RUN_AS=(runuser -u postgres --)
fi
"${RUN_AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres -A trust --no-sync >/dev/null
"${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=on -c max_connections=200" start >/dev/null
echo "export END_CONVERSATION_TEST_PG=postgresql://postgres@127.0.0.1:$PORT/postgres"
# Stopping also removes the cluster's folder (about 40 MB), so runs leave nothing behind.
echo "export END_CONVERSATION_TEST_PG_STOP='${RUN_AS[*]} $BIN/pg_ctl -D $DIR/data -m fast stop; rm -rf $DIR'"
