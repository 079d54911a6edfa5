#!/usr/bin/env bash
# Provides Jaeger v2 (an OpenTelemetry Collector distribution: an OTLP receiver, in-memory trace
# storage and Jaeger's query API) for the trace tests, and prints its path.
#
# Order of preference:
#   1. $VOICEFLEET_JAEGER when it points at an executable;
#   2. a cache keyed by version ($VOICEFLEET_CACHE, default ~/.cache/voicefleet);
#   3. a build of github.com/jaegertracing/jaeger/cmd/jaeger at the pinned version with the Go
#      toolchain and the Go module proxy, into that cache.
# Prebuilt binaries are never downloaded.
set -euo pipefail

JAEGER_VERSION="${VOICEFLEET_JAEGER_VERSION:-1.75.0}"
CACHE="${VOICEFLEET_CACHE:-$HOME/.cache/voicefleet}"

if [[ -n "${VOICEFLEET_JAEGER:-}" && -x "${VOICEFLEET_JAEGER}" ]]; then
  echo "$VOICEFLEET_JAEGER"
  exit 0
fi

out="$CACHE/jaeger/v$JAEGER_VERSION"
if [[ -x "$out/jaeger" ]]; then
  echo "$out/jaeger"
  exit 0
fi

command -v go >/dev/null || {
  echo "ensure-jaeger: Go is needed to build jaeger (or set VOICEFLEET_JAEGER)" >&2
  exit 1
}

mkdir -p "$out"
# Two test files may ask at once: the second waits for the first's build, then finds it cached.
exec 9>"$out/.build.lock"
flock 9
if [[ -x "$out/jaeger" ]]; then
  echo "$out/jaeger"
  exit 0
fi

echo "ensure-jaeger: building jaeger v$JAEGER_VERSION (cached in $out; a cold build takes minutes)" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
(
  cd "$work"
  go mod init voicefleet.local/jaeger >&2
  go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@v$JAEGER_VERSION" >&2
  CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$work/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger >&2
)
mv "$work/jaeger" "$out/jaeger"
echo "$out/jaeger"
