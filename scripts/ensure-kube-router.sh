#!/usr/bin/env bash
# Provides kube-router for the real cluster's NetworkPolicy enforcement and prints its path. The
# harness runs only its firewall (--run-firewall; no routing, no service proxy): the CNI bridge
# does not enforce NetworkPolicy, kube-router's iptables + ipset rules do.
# $VOICEFLEET_KUBE_ROUTER when it points at an executable; else the version cache
# (scripts/lib/cached-go-binary.sh), built with `go install` when missing.
set -euo pipefail
source "$(dirname "$0")/lib/cached-go-binary.sh"

cached_go_binary kube-router github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
  "${VOICEFLEET_KUBE_ROUTER_VERSION:-2.1.0}" "${VOICEFLEET_KUBE_ROUTER:-}"
