#!/usr/bin/env bash
# The whole test suite from a clean clone: installs what it needs, then typecheck, lint and tests.
#   bash scripts/test.sh [unit|integration|all] [file filters...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-packages.sh
bash scripts/ensure-node-modules.sh
VOICEFLEET_CONTROL_PLANE_DIR=$(bash scripts/ensure-control-plane.sh)
export VOICEFLEET_CONTROL_PLANE_DIR

tier=${1:-all}
if [[ $tier == all ]]; then
  echo "== typecheck" && npx tsc -p .
  echo "== lint" && npx eslint --max-warnings=0 .
fi
node scripts/run-tests.mjs "$@"
