#!/usr/bin/env bash
# Several servers behind one balancer (BENCHMARKS.md): a throw-away
# PostgreSQL (scripts/postgres.sh), 1, 2 and 3 `usajili serve` processes
# behind the production nginx configuration, the realistic mix, the
# database's ceiling, the background jobs counted, open-loop bookings at a
# fixed rate on both engines, and one process's memory. Prints Markdown
# tables and the correctness checks; exits non-zero if a check fails.
#
# Needs the release site (`cargo leptos build --release --precompress`),
# nginx, openssl and PostgreSQL (scripts/setup.sh test). Bounded by:
#   SCALE_SECONDS (20) per run of the mix, SCALE_CONNECTIONS (64),
#   SCALE_OPS (12000) requests at most per run, OPEN_RATE (100) bookings a
#   second for OPEN_SECONDS (20), MEMORY_CONNECTIONS (1000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
source scripts/postgres.sh
[ -f target/site/pkg/usajili.css ] || { echo "no release site: run cargo leptos build --release --precompress" >&2; exit 1; }

cargo build --release -p server --bin usajili --example scale_bench
export USAJILI_BIN="$PWD/target/release/usajili"
bench=target/release/examples/scale_bench
trap pg_stop EXIT

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
pg_start
"$PG_BIN/psql" -q "$USAJILI_TEST_POSTGRES_URL" -c "CREATE DATABASE scale"
USAJILI_BENCH_DATABASE_URL="${USAJILI_TEST_POSTGRES_URL%/postgres}/scale" "$bench" postgres
pg_stop

"$bench" sqlite
echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) after the run"
