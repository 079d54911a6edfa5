#!/usr/bin/env bash
# Provides Jaeger v2 (an OpenTelemetry Collector distribution: an OTLP receiver, in-memory trace
# storage and Jaeger's query API) for the trace tests and prints its path: $VOICEFLEET_JAEGER when
# it points at an executable; else the version cache (scripts/lib/cached-go-binary.sh), built from
# the Go module proxy when missing (its module has replace directives: built as a module's tool).
set -euo pipefail
source "$(dirname "$0")/lib/cached-go-binary.sh"

cached_go_binary jaeger github.com/jaegertracing/jaeger/cmd/jaeger \
  "${VOICEFLEET_JAEGER_VERSION:-1.75.0}" "${VOICEFLEET_JAEGER:-}" module
