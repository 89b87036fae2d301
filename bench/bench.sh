#!/usr/bin/env bash
# make bench: cioharness's load engine and wrk, side by side in the same run,
# against the same trivial net/http server (bench/server) on loopback.
#
# For each repetition: wrk posts one real d2c Pipelines payload with $CONNS
# connections for $DURATION; then `cioharness run` sends real d2c journeys
# (generated, ledgered and stamped as in any run) with --concurrency $CONNS at a
# start rate above what loopback sustains. Printed: each tool's request rate
# and client CPU per request (user+sys of its process, /usr/bin/time), the
# server's CPU per request (/proc), and the generator/wrk ratios. Goal: CPU per
# request at most 1.5x wrk's.
#
# Knobs: BENCH_DURATION (s, default 10), BENCH_CONNS (50), BENCH_REPS (2),
# BENCH_RATE (journeys/s for cioharness, default 4000), BENCH_GOOPS (requests
# per Go benchmark run, default 200000).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNS:-50}
REPS=${BENCH_REPS:-2}
RATE=${BENCH_RATE:-4000}
OUT=${BENCH_OUT:-bin/bench}
mkdir -p "$OUT"

if ! command -v wrk >/dev/null 2>&1; then
	echo "bench: installing wrk (Debian package)" >&2
	apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi

go build -o "$OUT/cioharness" ./cmd/cioharness
go build -o "$OUT/server" ./bench/server
go run ./bench/payload >"$OUT/payload.json"

"$OUT/server" >"$OUT/server.addr" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$OUT/server.addr" ] && break; sleep 0.1; done
ADDR=$(head -1 "$OUT/server.addr")
AUTH="Basic $(printf 'cioharness-pipelines:' | base64)"

cat >"$OUT/post.lua" <<LUA
local f = io.open("$OUT/payload.json", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "$AUTH"
LUA

# server_cpu prints the server's user+sys CPU seconds so far.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14+$15)/hz}' "/proc/$SERVER/stat"; }
# cpu_of FILE prints user+sys seconds from /usr/bin/time -f '%U %S'.
cpu_of() { tail -1 "$1" | awk '{printf "%.3f", $1+$2}'; }

run_wrk() {
	local s0 s1
	s0=$(server_cpu)
	"$TIME" -f '%U %S' -o "$OUT/wrk.time" wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$OUT/post.lua" "http://$ADDR/v1/track" >"$OUT/wrk.txt"
	s1=$(server_cpu)
	WRK_REQ=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
	WRK_RPS=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk.txt")
	WRK_CPU=$(cpu_of "$OUT/wrk.time")
	WRK_SRV=$(echo "$s1 - $s0" | bc -l)
	WRK_ALL="$WRK_ALL$(us "$WRK_CPU" "$WRK_REQ")
"
}

run_gen() {
	local s0 s1 code=0
	s0=$(server_cpu)
	"$TIME" -f '%U %S' -o "$OUT/gen.time" "$OUT/cioharness" run --target "http://$ADDR" --api pipelines \
		--concurrency "$CONNS" -r "${RATE}/s" -d "${DURATION}s" --time-scale 1e7 --settle 0 \
		-q --no-progress -o "$OUT/gen.json" || code=$?
	s1=$(server_cpu)
	# 1: the checks fail (the server is not a mock, nothing reaches the mock);
	# 5: the start rate is deliberately above what loopback sustains.
	case "$code" in 0 | 1 | 5) ;; *) echo "bench: cioharness run exited $code" >&2; exit 1 ;; esac
	GEN_REQ=$(awk '/"requests": \{/ {f=1} f && /"total":/ {gsub(/[^0-9]/, "", $2); print $2; exit}' "$OUT/gen.json")
	GEN_RPS=$(awk '/"rate_per_s":/ {gsub(/[^0-9.]/, "", $2); print $2; exit}' "$OUT/gen.json")
	GEN_ERR=$(awk '/"requests": \{/ {f=1} f && /"errors":/ {gsub(/[^0-9]/, "", $2); print $2; exit}' "$OUT/gen.json")
	GEN_CPU=$(cpu_of "$OUT/gen.time")
	GEN_SRV=$(echo "$s1 - $s0" | bc -l)
}

us() { echo "scale=1; 1000000 * $1 / $2" | bc -l; }
WRK_ALL=""

echo "bench: server http://$ADDR · payload $(wc -c <"$OUT/payload.json") bytes · $CONNS connections · ${DURATION}s per tool · $REPS repetitions"
printf '%-4s %-11s %10s %10s %12s %12s\n' rep tool requests "req/s" "cpu-us/req" "server-us/req"
for rep in $(seq "$REPS"); do
	run_wrk
	run_gen
	printf '%-4s %-11s %10s %10.0f %12s %12s\n' "$rep" wrk "$WRK_REQ" "$WRK_RPS" "$(us "$WRK_CPU" "$WRK_REQ")" "$(us "$WRK_SRV" "$WRK_REQ")"
	printf '%-4s %-11s %10s %10.0f %12s %12s   (%s errors)\n' "$rep" cioharness "$GEN_REQ" "$GEN_RPS" "$(us "$GEN_CPU" "$GEN_REQ")" "$(us "$GEN_SRV" "$GEN_REQ")" "$GEN_ERR"
	printf '%-4s %-11s %10s %10s %12s\n' "$rep" "gen/wrk" "" \
		"$(echo "scale=2; $GEN_RPS / $WRK_RPS" | bc -l)x" \
		"$(echo "scale=2; ($GEN_CPU * $WRK_REQ) / ($WRK_CPU * $GEN_REQ)" | bc -l)x"
done
echo "goal: cioharness cpu-us/req <= 1.5x wrk's (client CPU includes journey generation, the ledger and the idle embedded mock)"

# The engine alone, client CPU only: the Go benchmarks against the same
# server, with real d2c journeys generated before the timer starts (no
# generation, ledger or mock in the measured process), next to a minimal
# net/http closed-loop client.
go test -c -o "$OUT/load.test" ./load
GOB=$(CIOHARNESS_BENCH_TARGET="http://$ADDR" "$OUT/load.test" -test.run '^$' -test.bench 'Engine$|BaselineClient' \
	-test.benchtime "${BENCH_GOOPS:-200000}x" -test.count "$REPS")
echo "$GOB" | grep -E '^Benchmark'
WRK_MEAN=$(echo "$WRK_ALL" | awk 'NF {s+=$1; n++} END {printf "%.2f", s/n}')
echo "$GOB" | awk -v w="$WRK_MEAN" '/^Benchmark/ {for (i=1; i<NF; i++) if ($(i+1)=="cpu-us/req") {s[$1]+=$i; n[$1]++}}
	END {for (k in s) printf "%-28s %6.1f cpu-us/req = %.2fx wrk (%s us/req)\n", k, s[k]/n[k], s[k]/n[k]/w, w}'

# The other hot paths, each against a baseline measured in the same run:
# the mock against a trivial handler decoding the same JSON (goal >= 0.6x its
# req/s or <= 1.7x its CPU/req), heap per stored event (goal < 400 B),
# generation (goal >= 200k calls/s with payloads encoded), verification.
echo
echo "bench: mock throughput vs a trivial decoding handler, and heap per stored event"
go test ./mockcio -run '^$' -bench 'Throughput' -benchtime 20000x | grep -E '^Benchmark'
go test ./mockcio -run '^$' -bench 'StoreMemory' -benchtime 1x | grep -E '^Benchmark'
echo "bench: journey generation (calls/s with cio.Encode) and verification"
go test ./scenarios -run '^$' -bench 'Generate' -benchtime 2s | grep -E '^Benchmark'
VERIFY_BENCH_JOURNEYS=${BENCH_VERIFY_JOURNEYS:-100000} go test ./verify -run '^$' -bench 'Verify' -benchtime 1x -timeout 900s | grep -E '^Benchmark'
