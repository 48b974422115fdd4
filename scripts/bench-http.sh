#!/usr/bin/env bash
# HTTP throughput of the search route against a trivial route, on a server already running on this machine.
#   scripts/bench-http.sh [-u BASE_URL] [-d DURATION] [-q queries.jsonl] [SEARCH_PATH...]
# Runs `wrk -t2 -c32 -d$DURATION --latency` on BASE_URL/ping, then on the search paths (cycled by
# scripts/bench-http.lua), and prints requests/s of each and the ratio search/trivial.
# Default search paths: every query of queries.jsonl (from `passerelle bench search --export /tmp/searchbench`),
# URL-encoded as /api/v1/trials?q=<text>&near=H2X&radius_km=100. Needs wrk (apt-get install wrk) and python3.
# Only for servers on this machine (loopback): load tests must not target other hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_URL="${BASE_URL:-http://127.0.0.1:8080}"
DURATION="${DURATION:-20s}"
QUERIES="${QUERIES:-/tmp/searchbench/queries.jsonl}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
while getopts "u:d:q:h" opt; do
  case "$opt" in
    u) BASE_URL="$OPTARG" ;;
    d) DURATION="$OPTARG" ;;
    q) QUERIES="$OPTARG" ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
BASE_URL="${BASE_URL%/}"
[[ "$DURATION" =~ ^[0-9]+$ ]] && DURATION="${DURATION}s"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
host="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).hostname or "")' "$BASE_URL")"
case "$host" in
  localhost|127.*|::1) ;;
  *) echo "refusing $BASE_URL: load tests target only this machine (127.0.0.0/8, localhost, [::1])" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
paths="$work/paths.txt"
if (($# > 0)); then
  printf '%s\n' "$@" >"$paths"
else
  python3 - "$QUERIES" >"$paths" <<'PY'
import json, os, sys, urllib.parse
path = sys.argv[1]
if os.path.exists(path):
    with open(path, encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle if line.strip()]
else:
    print("no %s: using a built-in query list" % path, file=sys.stderr)
    texts = ["lymphome", "CAR-T lymphome", "leucémie aiguë", "breast cancer", "cancer du sein", "heart failure",
             "lymphomme", "Alzheimer", "pembrolizumab", "greffe de cellules souches"]
for text in texts:
    print("/api/v1/trials?q=%s&near=H2X&radius_km=100" % urllib.parse.quote(text, safe=""))
PY
fi
echo "search paths: $(wc -l <"$paths"), e.g. $(head -1 "$paths")" >&2

# run NAME wrk-args...: runs wrk, keeps its output in $work/NAME.txt and shows it on stderr.
run() {
  local name="$1"; shift
  echo "== $name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $*" >&2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" | tee "$work/$name.txt" >&2
}
run trivial "$BASE_URL/ping"
run search -s scripts/bench-http.lua "$BASE_URL" -- "$paths"

field() { awk -v key="$2" '$1 == key { print $2; exit }' "$work/$1.txt"; }
errors() {
  local bad; bad="$(grep -E 'Non-2xx|Socket errors' "$work/$1.txt" | tr -s ' ' | paste -sd ';' -)"
  echo "${bad:-none}"
}
trivial_rps="$(field trivial Requests/sec:)"
search_rps="$(field search Requests/sec:)"
echo
echo "| route | requests/s | p50 | p99 | errors |"
echo "| --- | ---: | ---: | ---: | --- |"
echo "| GET /ping | $trivial_rps | $(field trivial 50%) | $(field trivial 99%) | $(errors trivial) |"
echo "| GET search ($(wc -l <"$paths") paths) | $search_rps | $(field search 50%) | $(field search 99%) | $(errors search) |"
echo
python3 -c 'import sys; t, s = float(sys.argv[1] or 0), float(sys.argv[2] or 0); print("search / trivial: %.3f" % (s / t) if t else "search / trivial: n/a")' "$trivial_rps" "$search_rps"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $BASE_URL, $(nproc) cores; client and server share the machine."
