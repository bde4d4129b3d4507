#!/usr/bin/env bash
# Live fan-out at scale (see bench/README.md): bench/streams against one
# tribune on SQLite at 1,000, 5,000, 10,000 and 20,000 open streams, then
# against three tribunes on one PostgreSQL database (a fresh schema,
# dropped afterwards), the streams spread over them, the posts sent to one.
#
#   bench/streams.sh                      # the current tree
#   bench/streams.sh /tmp/tribune-before  # another build
#   SIZES="1000 5000" PG_STREAMS=0 M=20 bench/streams.sh
#
# The open-file limit is raised to 65536 for the tribunes and the tool
# (needs the right to: root, or a hard limit that high).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-1000 5000 10000 20000}
M=${M:-50}                  # messages posted per measure, one every EVERY
EVERY=${EVERY:-200ms}
PG_STREAMS=${PG_STREAMS:-10200} # over three processes; 0: skip
PG=${PG:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
BURST=${BURST:-0}           # e.g. 5s: the posting rate with the streams open
export PGOPTIONS="-c client_min_messages=warning"

work=$(mktemp -d)
pids=()
schema=
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "$schema" ] && psql -q "$PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

bin=${1:-}
if [ -z "$bin" ]; then
	go build -o "$work/tribune" ./cmd/tribune
	bin=$work/tribune
fi
go build -o "$work/streams" ./bench/streams

start() { # addr db
	TRIBUNE_TIMEZONE=Europe/Paris TRIBUNE_STREAM_MAX=30000 TRIBUNE_PASSWORD_MEMORY_KIB=1024 TRIBUNE_DB="$2" \
		"$bin" serve -addr "$1" -post-rate-limit 0 -log-level warn >>"$work/log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do curl -sf -o /dev/null "http://$1/remote/xml/" && return; sleep 0.1; done
	echo "tribune at $1 did not start" >&2; cat "$work/log" >&2; exit 1
}
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }

echo "$bin; $(nproc) cores; $M posts, one every $EVERY"
files=$(ulimit -n)
for n in $SIZES; do
	if [ "$n" -gt $((files - 500)) ]; then
		# The tribune and this tool each need a file per stream.
		echo "(open-file limit $files: $n streams cut to $((files - 500)))"
		n=$((files - 500))
	fi
	rm -f "$work"/t.db*
	start 127.0.0.1:28470 "$work/t.db"
	echo "== $n streams, one tribune, SQLite"
	timeout 300 "$work/streams" -urls http://127.0.0.1:28470 -pids "${pids[0]}" -n "$n" -m "$M" -every "$EVERY" -burst "$BURST" || echo "(failed)"
	stop
done

if [ "$PG_STREAMS" -gt 0 ]; then
	schema="streams_$$"
	sep='?'; case "$PG" in *\?*) sep='&' ;; esac
	psql -q "$PG" -c "CREATE SCHEMA $schema" >/dev/null
	db="$PG${sep}search_path=$schema"
	start 127.0.0.1:28470 "$db"
	start 127.0.0.1:28471 "$db"
	start 127.0.0.1:28472 "$db"
	echo "== $PG_STREAMS streams over three tribunes, PostgreSQL, posts to the first"
	timeout 300 "$work/streams" -urls http://127.0.0.1:28470,http://127.0.0.1:28471,http://127.0.0.1:28472 \
		-pids "$(IFS=,; echo "${pids[*]}")" -n "$PG_STREAMS" -m "$M" -every "$EVERY" || echo "(failed)"
	stop
fi
