#!/usr/bin/env bash
# Rebuild tables from their topics: scripts/replay.sh --table consumption | --all
set -euo pipefail
cd "$(dirname "$0")/.."
exec npm run --silent replay -- "$@"
