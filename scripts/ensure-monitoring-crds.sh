#!/usr/bin/env bash
# Provides the Prometheus operator's CRDs (monitoring.coreos.com: PodMonitor, PrometheusRule, ...)
# for the tests that run the operator against them, and prints the directory holding their YAML.
#
# They are the YAML the Prometheus operator publishes for `kubectl apply` (its Go module's
# example/prometheus-operator-crd/), fetched with `go mod download` at a pinned version and kept
# in Go's module cache. $VOICEFLEET_MONITORING_CRDS overrides with a directory of your own.
set -euo pipefail

VERSION="${VOICEFLEET_PROMETHEUS_OPERATOR_VERSION:-v0.86.1}"
MODULE=github.com/prometheus-operator/prometheus-operator

if [[ -n "${VOICEFLEET_MONITORING_CRDS:-}" ]]; then
  echo "$VOICEFLEET_MONITORING_CRDS"
  exit 0
fi
command -v go >/dev/null || {
  echo "ensure-monitoring-crds: Go is needed (or set VOICEFLEET_MONITORING_CRDS)" >&2
  exit 1
}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$(cd "$tmp" && go mod download -json "$MODULE@$VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
crds="$dir/example/prometheus-operator-crd"
[[ -f "$crds/monitoring.coreos.com_prometheusrules.yaml" ]] || {
  echo "ensure-monitoring-crds: no CRDs in $crds" >&2
  exit 1
}
echo "$crds"
