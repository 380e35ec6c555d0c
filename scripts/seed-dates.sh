#!/usr/bin/env bash
# Seed from cron or a shell (see `npm run seed -- --help`):
#   scripts/seed-dates.sh FROM [TO]   that range of Europe/London dates (YYYY-MM-DD)
#   scripts/seed-dates.sh             the new days since the newest in daily_summary, then the
#                                     incomplete days of the last 14 (late consumption) again
# e.g. `15 7 * * * /path/to/scripts/seed-dates.sh` keeps a household up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -gt 0 ]; then
  exec npm run --silent seed -- "$@"
fi
npm run --silent seed
exec npm run --silent seed -- --incomplete
