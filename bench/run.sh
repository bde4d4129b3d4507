#!/usr/bin/env bash
# Load figures of the tribune, measured over loopback with wrk against a bare
# net/http server in the same run (see bench/README.md).
#
#   bench/run.sh            # 10 s per measure
#   DURATION=30s bench/run.sh
#   TRIBUNE_ADDR=127.0.0.1:18280 BASELINE_ADDR=127.0.0.1:18281 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
POSTERS=${POSTERS:-16}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/tribune" ./cmd/tribune
go build -o "$work/baseline" ./bench/baseline

T=${TRIBUNE_ADDR:-127.0.0.1:18180}
B=${BASELINE_ADDR:-127.0.0.1:18181}
"$work/baseline" -addr $B & pids+=($!)
TRIBUNE_TIMEZONE=Europe/Paris "$work/tribune" serve -addr $T -db "$work/tribune.db" -post-rate-limit 0 -log-level warn & pids+=($!)
for addr in $T $B; do
	for _ in $(seq 50); do curl -sf -o /dev/null "http://$addr/" -I 2>/dev/null && break || sleep 0.1; done
done

# 50 messages of typical length, with markup, links, clocks and totoz.
for i in $(seq 50); do
	curl -sf -o /dev/null -A "Mozilla/5.0 (X11; Linux x86_64) bench/$i" \
		--data-urlencode "content=12:00:0$((i % 10)) <b>message $i</b> with a link http://example.com/page/$i and [:totoz] moules< and some more words to make it typical" \
		"http://$T/post/"
done
burst=$(date +%s.%N)
# Last-Modified never names a second that is not over, less a margin for
# the clocks of other processes (see docs/protocol.md): poll as a client
# does, with the Last-Modified it was given, until it answers 304.
for _ in $(seq 600); do
	lm=$(curl -sI "http://$T/remote/xml/" | tr -d '\r' | sed -n 's/^Last-Modified: //p')
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lm" "http://$T/remote/xml/")
	[ "$code" = 304 ] && break
	sleep 0.2
done
[ "$code" = 304 ] || { echo "If-Modified-Since never answered 304" >&2; exit 1; }
caught=$(date +%s.%N)
etag=$(curl -sI "http://$T/remote/xml/" | tr -d '\r' | sed -n 's/^Etag: //Ip')
bytes=$(curl -s "http://$T/remote/xml/" | wc -c)

rps() { wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" | awk '/Requests\/sec/ {print int($2)}'; }

echo "wrk -t$THREADS -c$CONNS -d$DURATION over loopback; $(nproc) cores"
base=$(rps "http://$B/")
xml=$(rps "http://$T/remote/xml/")
nm=$(rps -H "If-Modified-Since: $lm" "http://$T/remote/xml/")
[ -z "$etag" ] || inm=$(rps -H "If-None-Match: $etag" "http://$T/remote/xml/")
poll=$(rps "http://$T/remote/xml/?last_id=50")
printf '%-44s %8s req/s\n' "baseline: net/http, fixed 60-byte body" "$base"
printf '%-44s %8s req/s  %3d%% of baseline\n' "remote/xml/, 50 messages ($bytes bytes)" "$xml" $((100 * xml / base))
printf '%-44s %8s req/s  %3d%% of baseline\n' "remote/xml/ with If-Modified-Since (304)" "$nm" $((100 * nm / base))
[ -z "$etag" ] || printf '%-44s %8s req/s  %3d%% of baseline\n' "remote/xml/ with If-None-Match (304)" "$inm" $((100 * inm / base))
printf '%-44s %8s req/s  %3d%% of baseline\n' "remote/xml/?last_id=newest (304)" "$poll" $((100 * poll / base))
printf '%-44s %8s s after the last post\n' "first 304 to If-Modified-Since" "$(awk -v a="$caught" -v b="$burst" 'BEGIN { printf "%.1f", a - b }')"

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "content=12:00:00 <b>load</b> test message http://example.com/ [:totoz]"
LUA
out=$(wrk -t2 -c"$POSTERS" -d"$DURATION" -s "$work/post.lua" "http://$T/post/xml/")
posts=$(echo "$out" | awk '/Requests\/sec/ {print int($2)}')
errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
printf '%-44s %8s posts/s (%s clients, errors: %s)\n' "post/xml/, acknowledged posts" "$posts" "$POSTERS" "${errors:-0}"
