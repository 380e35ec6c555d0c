#!/usr/bin/env bash
# Seed a date range from cron or a shell: scripts/seed-dates.sh FROM [TO]
# (FROM and TO are YYYY-MM-DD Europe/London dates; see `npm run seed -- --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
exec npm run --silent seed -- "$@"
