#!/usr/bin/env bash
# Provides etcd, kube-apiserver and kube-controller-manager for the API-server test tier, and with
# --node also what a real single-node cluster adds: kubelet, kube-scheduler, kube-proxy, kubectl
# (same Kubernetes version) and crictl.
#   bash scripts/ensure-control-plane.sh [--node]
#
# Order of preference:
#   1. $KUBEBUILDER_ASSETS (the envtest convention) when it holds all three binaries;
#   2. a cache keyed by version ($VOICEFLEET_CACHE, default ~/.cache/voicefleet);
#   3. a build from source with the Go toolchain and the Go module proxy, into that cache.
# Prebuilt binaries are never downloaded. Prints the directory holding the binaries.
set -euo pipefail

K8S_VERSION="${VOICEFLEET_K8S_VERSION:-1.35.4}"
ETCD_VERSION="${VOICEFLEET_ETCD_VERSION:-3.6.16}"
CACHE="${VOICEFLEET_CACHE:-$HOME/.cache/voicefleet}"
CRICTL_VERSION="${VOICEFLEET_CRICTL_VERSION:-v1.34.0}"
BINS=(etcd kube-apiserver kube-controller-manager)
NODE_BINS=(kubelet kube-scheduler kube-proxy kubectl)
node=0
[[ ${1:-} == --node ]] && node=1

# Kubernetes binaries carry their version only when the linker is told it; without it they report
# v0.0.0-master+$Format:%H$ and Helm's kubeVersion check refuses the cluster.
V=k8s.io/component-base/version
minor=$(cut -d. -f2 <<<"$K8S_VERSION")
VERSION_LDFLAGS="-X $V.gitVersion=v$K8S_VERSION -X $V.gitMajor=${K8S_VERSION%%.*} -X $V.gitMinor=$minor -X $V.gitTreeState=clean"

stamped() { # stamped BINARY: reports this Kubernetes version
  "$1" --version 2>/dev/null | grep -q "v$K8S_VERSION\$"
}

have_all() {
  local dir=$1
  for b in "${BINS[@]}"; do [[ -x "$dir/$b" ]] || return 1; done
  stamped "$dir/kube-apiserver" && stamped "$dir/kube-controller-manager" || return 1
  ((node == 0)) && return 0
  for b in "${NODE_BINS[@]}" crictl; do [[ -x "$dir/$b" ]] || return 1; done
}

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]] && have_all "$KUBEBUILDER_ASSETS"; then
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

out="$CACHE/control-plane/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"
if have_all "$out"; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || {
  echo "ensure-control-plane: Go is needed to build kube-apiserver (or set KUBEBUILDER_ASSETS)" >&2
  exit 1
}

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

echo "ensure-control-plane: building Kubernetes v$K8S_VERSION and etcd v$ETCD_VERSION (cached in $out; first build takes several minutes)" >&2
# Two test files may ask at once: the second waits for the first's build, then finds it cached.
exec 9>"$out/.build.lock"
flock 9
if have_all "$out"; then
  echo "$out"
  exit 0
fi

# kube-apiserver and kube-controller-manager: k8s.io/kubernetes pins its staging modules at v0.0.0,
# so a wrapper module replaces each one with its published twin of the same release. Modules
# these two commands never import (code generators, samples) become empty local stubs, so the
# build does not depend on every one of them being published.
mkdir -p "$work/k8s"
k8s_gomod=$(GOFLAGS= go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[[ -f $k8s_gomod ]] || { echo "ensure-control-plane: cannot fetch k8s.io/kubernetes v$K8S_VERSION" >&2; exit 1; }
staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$k8s_gomod")
{
  echo "module voicefleet.local/control-plane"
  echo "go 1.22"
  echo "require k8s.io/kubernetes v$K8S_VERSION"
  for m in $staging; do
    case $m in
      k8s.io/code-generator | k8s.io/sample-*)
        mkdir -p "$work/stubs/$m"
        echo "module $m" >"$work/stubs/$m/go.mod"
        echo "replace $m => ../stubs/$m"
        ;;
      *) echo "replace $m => $m v0.${K8S_VERSION#1.}" ;;
    esac
  done
} >"$work/k8s/go.mod"
k8s_bins=(kube-apiserver kube-controller-manager)
((node == 0)) || k8s_bins+=("${NODE_BINS[@]}")
{
  printf '//go:build tools\n\npackage tools\n\nimport (\n'
  for b in "${k8s_bins[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$b"; done
  printf ')\n'
} >"$work/k8s/tools.go"
(
  cd "$work/k8s"
  go mod tidy >&2
  for b in "${k8s_bins[@]}"; do
    # Static like Kubernetes' own release builds (kubelet too: it runs fine without cgo here).
    if [[ ! -x $out/$b ]] || ! stamped "$out/$b"; then
      CGO_ENABLED=0 go build -trimpath -ldflags="-s -w $VERSION_LDFLAGS" -o "$out/$b" "k8s.io/kubernetes/cmd/$b" >&2
    fi
  done
)
if ((node == 1)) && [[ ! -x $out/crictl ]]; then
  GOFLAGS= CGO_ENABLED=0 GOBIN="$out" go install -trimpath \
    -ldflags="-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
    "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION" >&2
fi

# etcd: its server module carries replace directives, so it too is built through a wrapper.
[[ -x $out/etcd ]] || {
mkdir -p "$work/etcd"
cat >"$work/etcd/go.mod" <<GOMOD
module voicefleet.local/etcd
go 1.22
require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
GOMOD
cat >"$work/etcd/tools.go" <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
(
  cd "$work/etcd"
  go mod tidy >&2
  CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3 >&2
)
}

have_all "$out" || { echo "ensure-control-plane: build finished without all binaries in $out" >&2; exit 1; }
echo "$out"
