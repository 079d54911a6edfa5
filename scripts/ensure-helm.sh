#!/usr/bin/env bash
# Provides the helm binary for the chart tests and prints its path.
#
# Order of preference:
#   1. $VOICEFLEET_HELM when it points at an executable;
#   2. a cache keyed by version ($VOICEFLEET_CACHE, default ~/.cache/voicefleet);
#   3. `go install` of helm.sh/helm/v3/cmd/helm at the pinned version, into that cache.
# Prebuilt binaries are never downloaded.
set -euo pipefail

HELM_VERSION="${VOICEFLEET_HELM_VERSION:-3.21.4}"
CACHE="${VOICEFLEET_CACHE:-$HOME/.cache/voicefleet}"

if [[ -n "${VOICEFLEET_HELM:-}" && -x "${VOICEFLEET_HELM}" ]]; then
  echo "$VOICEFLEET_HELM"
  exit 0
fi

out="$CACHE/helm/v$HELM_VERSION"
if [[ -x "$out/helm" ]]; then
  echo "$out/helm"
  exit 0
fi

command -v go >/dev/null || {
  echo "ensure-helm: Go is needed to build helm (or set VOICEFLEET_HELM)" >&2
  exit 1
}

export GOTOOLCHAIN=local
if ! go list -m -versions helm.sh/helm/v3 | tr ' ' '\n' | grep -qx "v$HELM_VERSION"; then
  echo "ensure-helm: helm.sh/helm/v3 has no version v$HELM_VERSION; set VOICEFLEET_HELM_VERSION" >&2
  exit 1
fi

echo "ensure-helm: building helm v$HELM_VERSION (cached in $out)" >&2
mkdir -p "$out"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -ldflags="-s -w" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" >&2
mv "$tmp/helm" "$out/helm"
echo "$out/helm"
