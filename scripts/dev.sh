#!/usr/bin/env bash
# The main job on a fresh clone: install what the local fleet needs, then run it.
#   bash scripts/dev.sh [folder] [--sip-port 5060]      (npm run dev -- [folder] [...])
# Then, in another terminal: bin/voicefleet call +14155550100 --say "What time do you open on Saturday"
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-packages.sh
bash scripts/ensure-node-modules.sh
exec bin/voicefleet dev "$@"
