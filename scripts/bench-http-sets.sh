#!/usr/bin/env bash
# HTTP search throughput against the same server's trivial route, on each given database, with the response cache
# off and on (docs/BENCHMARKS.md, "HTTP throughput").
#   scripts/bench-http-sets.sh [-d DURATION] [-q queries.jsonl] DATABASE...
# For each database: starts `passerelle serve --no-demo --matching off` (release build, .build-release unless
# PASSERELLE_BIN says otherwise) on a free loopback port, first with --response-cache-mb 0, then with the default
# cache; waits for /health; runs scripts/bench-http.sh; prints one table row per run, with the cache's hits and misses
# read from /metrics. Matching is off so the numbers measure search alone (building the eligibility index of a
# 500k set would take the cores for many minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-15s}"
QUERIES="${QUERIES:-/tmp/searchbench/queries.jsonl}"
BIN="${PASSERELLE_BIN:-.build-release/release/passerelle}"
while getopts "d:q:h" opt; do
  case "$opt" in
    d) DURATION="$OPTARG" ;;
    q) QUERIES="$OPTARG" ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(($# > 0)) || { sed -n '2,9p' "$0"; exit 2; }
[[ -x "$BIN" ]] || { echo "no server binary at $BIN: swift build -c release --product passerelle --scratch-path .build-release" >&2; exit 1; }

server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; true' EXIT

# metric NAME LABEL: the value of a Prometheus counter line with that label, 0 when absent.
metric() {
  curl -s "$base/metrics" | awk -v name="$1" -v label="$2" 'index($0, name) == 1 && index($0, label) { print $NF; found = 1 } END { if (!found) print 0 }'
}

echo "| database | trials | cache | /ping req/s | search req/s | search p50 | search p99 | search ÷ ping | cache hits / misses |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"
for database in "$@"; do
  for cache in 0 64; do
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    base="http://127.0.0.1:$port"
    "$BIN" serve --database "$database" --port "$port" --no-demo --matching off --response-cache-mb "$cache" \
      --log-level warning >/dev/null 2>&1 &
    server=$!
    trials=""
    for _ in $(seq 1 1200); do
      trials="$(curl -sf "$base/health" | python3 -c 'import json, sys; print(json.load(sys.stdin)["trials"])' 2>/dev/null || true)"
      [[ -n "$trials" ]] && break
      kill -0 "$server" 2>/dev/null || { echo "server on $database exited" >&2; exit 1; }
      sleep 1
    done
    [[ -n "$trials" ]] || { echo "server on $database did not start" >&2; exit 1; }
    out="$(BASE_URL="$base" DURATION="$DURATION" QUERIES="$QUERIES" scripts/bench-http.sh 2>/dev/null)"
    ping_row="$(grep '^| GET /ping' <<<"$out" | tr -d ' ')"
    search_row="$(grep '^| GET search' <<<"$out" | tr -d ' ')"
    ratio="$(sed -n 's/^search \/ trivial: //p' <<<"$out")"
    IFS='|' read -r _ _ ping_rps _ <<<"$ping_row"
    IFS='|' read -r _ _ search_rps p50 p99 _ <<<"$search_row"
    label="off"
    counts="–"
    if [[ "$cache" != 0 ]]; then
      label="${cache} MiB"
      counts="$(metric passerelle_response_cache_total 'result="hit"') / $(metric passerelle_response_cache_total 'result="miss"')"
    fi
    echo "| $(basename "$database") | $trials | $label | $ping_rps | $search_rps | $p50 | $p99 | $ratio | $counts |"
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=""
  done
done
echo
echo "wrk -t2 -c32 -d$DURATION per route, $(nproc) cores shared by client and server; $(date -u +%Y-%m-%dT%H:%MZ)."
