#!/usr/bin/env bash
# Builds the three container images from the repository root (npm run images):
#   voicefleet/operator, voicefleet/media-node, voicefleet/edge, tagged with the package version.
#   bash scripts/images.sh [operator|media-node|edge ...]
# Environment: VOICEFLEET_IMAGE_REPO (default voicefleet) names the repository prefix, e.g.
# registry.example.com/platform to push them there (see the README); VOICEFLEET_IMAGE_TAG
# overrides the tag. Docker must run (scripts/ensure-docker.sh starts Debian's engine); a base
# image Docker cannot pull is made locally (scripts/ensure-base-images.sh). Behind a
# TLS-inspecting proxy set VOICEFLEET_BUILD_CA_FILE (images/build-ca/README.md). Prints each
# image with its size and build time.
set -euo pipefail
cd "$(dirname "$0")/.."

repo="${VOICEFLEET_IMAGE_REPO:-voicefleet}"
version=$(node -p 'require("./package.json").version')
tag="${VOICEFLEET_IMAGE_TAG:-$version}"
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
names=("$@")
((${#names[@]})) || names=(operator media-node edge)

bash scripts/ensure-docker.sh
bash scripts/ensure-base-images.sh
# Without buildx the legacy builder does the same with the Dockerfiles as they are.
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0

log=$(mktemp)
ca=images/build-ca/build.crt
trap 'rm -f "$log" "$ca"' EXIT
# A TLS-inspecting proxy's CA for npm in the build stage (images/build-ca/README.md).
ca_file="${VOICEFLEET_BUILD_CA_FILE:-${NODE_EXTRA_CA_CERTS:-}}"
if [[ -n $ca_file ]]; then
  [[ -r $ca_file ]] || { echo "images: cannot read the CA file $ca_file" >&2; exit 2; }
  cp "$ca_file" "$ca"
fi
for name in "${names[@]}"; do
  [[ -f images/$name/Dockerfile ]] || { echo "images: no images/$name/Dockerfile" >&2; exit 2; }
  t0=$SECONDS
  docker build -q -f "images/$name/Dockerfile" -t "$repo/$name:$tag" \
    --build-arg "VERSION=$version" --build-arg "REVISION=$revision" . >/dev/null 2>"$log" ||
    { cat "$log" >&2; exit 1; }
  size=$(docker image inspect -f '{{.Size}}' "$repo/$name:$tag")
  printf '%s:%s  %d MiB  (%d s)\n' "$repo/$name" "$tag" $((size / 1048576)) $((SECONDS - t0))
done
