#!/usr/bin/env bash
# Acknowledged posts per second on PostgreSQL, 16 posting clients (wrk), for
# one or more tribune binaries alternated in one run, so that their figures
# compare on a shared, noisy machine (see bench/README.md).
#
#   bench/pgposts.sh                         # the current tree
#   bench/pgposts.sh ./tribune-old ./tribune # before and after, alternated
#   ROUNDS=5 DURATION=20s KEYS=16 bench/pgposts.sh a b
#
# PG is the server (default: the CI's). Every measure runs on a fresh schema
# of its own, dropped afterwards. The post limit is on but big
# (LIMIT=1000000/1s): it is counted on every post and never refuses, so it
# costs what it costs without being the bottleneck. KEYS=1 (the default)
# posts as one client, all on one bucket (the worst case for buckets in a
# database: one row); KEYS=16 as 16 clients, through X-Forwarded-For.
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${PG:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
POSTERS=${POSTERS:-16}
LIMIT=${LIMIT:-1000000/1s}
KEYS=${KEYS:-1}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
export PGOPTIONS="-c client_min_messages=warning"
command -v psql >/dev/null || { echo "psql is needed: apt-get install postgresql-client" >&2; exit 1; }

work=$(mktemp -d)
pid=
schema=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	[ -n "$schema" ] && psql -q "$PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
	go build -o "$work/tribune" ./cmd/tribune
	bins=("$work/tribune")
fi

cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "content=12:00:00 <b>load</b> test message http://example.com/ [:totoz]"
local keys = $KEYS
request = function()
	if keys > 1 then
		wrk.headers["X-Forwarded-For"] = "192.0.2." .. math.random(1, keys)
	end
	return wrk.format()
end
LUA

T=${ADDR:-127.0.0.1:28490}
sep='?'
case "$PG" in *\?*) sep='&' ;; esac
echo "wrk -t2 -c$POSTERS -d$DURATION, POST /post/xml/, PostgreSQL, post limit $LIMIT, $KEYS client key(s); $(nproc) cores"
declare -A total
for round in $(seq "$ROUNDS"); do
	for i in "${!bins[@]}"; do
		bin=${bins[$i]}
		schema="bench_$$_${round}_$i"
		psql -q "$PG" -c "CREATE SCHEMA $schema" >/dev/null
		TRIBUNE_DB="$PG${sep}search_path=$schema" TRIBUNE_TIMEZONE=Europe/Paris TRIBUNE_TRUSTED_PROXIES=127.0.0.1 \
			"$bin" serve -addr $T -post-rate-limit "$LIMIT" -log-level warn &
		pid=$!
		for _ in $(seq 100); do curl -sf -o /dev/null "http://$T/remote/xml/" && break || sleep 0.1; done
		out=$(wrk -t2 -c"$POSTERS" -d"$DURATION" -s "$work/post.lua" "http://$T/post/xml/")
		posts=$(echo "$out" | awk '/Requests\/sec/ {print int($2)}')
		errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
		printf 'round %d  %-40s %6s posts/s (non-2xx: %s)\n' "$round" "$bin" "$posts" "${errors:-0}"
		total[$i]=$(( ${total[$i]:-0} + posts ))
		kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
		psql -q "$PG" -c "DROP SCHEMA $schema CASCADE" >/dev/null; schema=
	done
done
for i in "${!bins[@]}"; do
	printf 'mean  %-40s %6d posts/s  %3d%% of the first\n' "${bins[$i]}" $(( total[$i] / ROUNDS )) $(( 100 * total[$i] / total[0] ))
done
