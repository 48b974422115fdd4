# Sourced by scripts/test, scripts/bench and .ci/run: a throw-away PostgreSQL cluster in a temporary directory,
# listening on loopback only, owned by an unprivileged user (initdb refuses to run as root).
#   start_scratch_postgres   -> sets SCRATCH_POSTGRES_URL, SCRATCH_POSTGRES_DIR
#   stop_scratch_postgres
start_scratch_postgres() {
  local bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
  local port="${SCRATCH_POSTGRES_PORT:-$(( 55000 + RANDOM % 5000 ))}"
  SCRATCH_POSTGRES_DIR="$(mktemp -d /tmp/passerelle-pg.XXXXXX)"
  local run=()
  if [[ "$(id -u)" == "0" ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$SCRATCH_POSTGRES_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$SCRATCH_POSTGRES_DIR/data" -U passerelle --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$SCRATCH_POSTGRES_DIR/data" -l "$SCRATCH_POSTGRES_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $SCRATCH_POSTGRES_DIR -c fsync=${SCRATCH_POSTGRES_FSYNC:-off} -c max_connections=200" start >/dev/null
  SCRATCH_POSTGRES_URL="postgres://passerelle@127.0.0.1:$port/postgres"
  SCRATCH_PG_RUN="${run[*]}"
  SCRATCH_PG_BIN="$bin"
  echo "scratch PostgreSQL on 127.0.0.1:$port ($SCRATCH_POSTGRES_DIR)" >&2
}

stop_scratch_postgres() {
  if [[ -n "${SCRATCH_POSTGRES_DIR:-}" && -d "$SCRATCH_POSTGRES_DIR/data" ]]; then
    $SCRATCH_PG_RUN "$SCRATCH_PG_BIN/pg_ctl" -D "$SCRATCH_POSTGRES_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$SCRATCH_POSTGRES_DIR"
  fi
}
