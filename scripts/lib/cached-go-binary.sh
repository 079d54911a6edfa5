# Sourced by scripts/ensure-*.sh: a Go-built binary from a cache keyed by version, built with
# `go install` from the Go module proxy when missing (prebuilt binaries are never downloaded).
#   cached_go_binary NAME PACKAGE VERSION OVERRIDE
# prints the binary's path: $OVERRIDE when it names an executable, else
# ${VOICEFLEET_CACHE:-~/.cache/voicefleet}/NAME/vVERSION/NAME, built there first when missing
# (not with VOICEFLEET_NO_BUILD set: then it fails saying so).
cached_go_binary() {
  local name=$1 package=$2 version=$3 override=${4:-}
  if [[ -n "$override" && -x "$override" ]]; then
    echo "$override"
    return 0
  fi
  local out="${VOICEFLEET_CACHE:-$HOME/.cache/voicefleet}/$name/v$version"
  if [[ -x "$out/$name" ]]; then
    echo "$out/$name"
    return 0
  fi
  if [[ -n "${VOICEFLEET_NO_BUILD:-}" ]]; then
    echo "$name v$version is not built yet (not building: VOICEFLEET_NO_BUILD)" >&2
    return 1
  fi
  command -v go >/dev/null || {
    echo "Go is needed to build $name" >&2
    return 1
  }
  echo "building $name v$version (cached in $out)" >&2
  mkdir -p "$out"
  local tmp
  tmp=$(mktemp -d "$out/.build.XXXXXX")
  # shellcheck disable=SC2064 # expand now: the trap outlives this function's locals
  trap "rm -rf '$tmp'" EXIT
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -ldflags="-s -w" \
    "$package@v$version" >&2
  mv "$tmp/$name" "$out/$name"
  echo "$out/$name"
}
