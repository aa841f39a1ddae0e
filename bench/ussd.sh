#!/usr/bin/env bash
# USSD step latency (BENCHMARKS.md): 200 people using USSD at once through
# the real callback, each a whole visit (a new PIN, the applications, then
# the PIN again and a booking walked through county, centre, day, time and
# confirm), on a throw-away PostgreSQL (scripts/postgres.sh) and then on
# SQLite, each against the trivial `/livez` handler loaded the same way in
# the same run. Twice per engine: the visits started within USSD_RAMP_MS,
# then all in the same second (the worst burst of new PINs). Prints
# Markdown tables; exits non-zero if a step fails or a booking is
# double-counted.
#
# Needs PostgreSQL (scripts/setup.sh test). Bounded by:
#   USSD_SESSIONS (200) people at once, USSD_THINK_MS (2000) before each
#   key, USSD_RAMP_MS (20000) over which they start.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
source scripts/postgres.sh
sessions="${USSD_SESSIONS:-200}"
think="${USSD_THINK_MS:-2000}"
ramp="${USSD_RAMP_MS:-20000}"

cargo build --release -p server --example ussd_bench
bench=target/release/examples/ussd_bench
trap pg_stop EXIT

echo "machine: $(nproc) cores; before the run: $(uptime)"
pg_start
for start in "$ramp" 0; do
  "$PG_BIN/psql" -q "$USAJILI_TEST_POSTGRES_URL" -c "CREATE DATABASE ussd_$start"
  USAJILI_BENCH_DATABASE_URL="${USAJILI_TEST_POSTGRES_URL%/postgres}/ussd_$start" \
    "$bench" "$sessions" "$think" "$start"
done
pg_stop

for start in "$ramp" 0; do
  "$bench" "$sessions" "$think" "$start"
done
echo "machine: after the run: $(uptime)"
