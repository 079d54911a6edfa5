#!/usr/bin/env bash
# Installs npm packages from the lockfile when node_modules is missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.voicefleet-lock
if [[ ! -f $stamp || package-lock.json -nt $stamp || ${CI:-} == true && ! -d node_modules/.bin ]]; then
  # onnxruntime-node's install script would fetch GPU files; its CPU binaries ship in the package.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >&2
  cp package-lock.json "$stamp"
fi
