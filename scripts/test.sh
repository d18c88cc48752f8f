#!/usr/bin/env bash
# Everything the test suite needs, then typecheck, lint and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
npm run build
npm run lint
node scripts/run-tests.mjs "$@"
