#!/usr/bin/env bash
# Provides the helm binary for the chart tests and prints its path: $VOICEFLEET_HELM when it
# points at an executable; else the version cache (scripts/lib/cached-go-binary.sh), built with
# `go install` of helm.sh/helm/v3/cmd/helm at the pinned version when missing.
set -euo pipefail
source "$(dirname "$0")/lib/cached-go-binary.sh"

cached_go_binary helm helm.sh/helm/v3/cmd/helm \
  "${VOICEFLEET_HELM_VERSION:-3.21.4}" "${VOICEFLEET_HELM:-}"
