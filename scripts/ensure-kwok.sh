#!/usr/bin/env bash
# Provides kwok (simulated nodes and pods for bench:kwok) and prints its path.
# $VOICEFLEET_KWOK when it points at an executable; else the version cache
# (scripts/lib/cached-go-binary.sh), built with `go install` when missing.
set -euo pipefail
source "$(dirname "$0")/lib/cached-go-binary.sh"

cached_go_binary kwok sigs.k8s.io/kwok/cmd/kwok "${VOICEFLEET_KWOK_VERSION:-0.8.0}" "${VOICEFLEET_KWOK:-}"
