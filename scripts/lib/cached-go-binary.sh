# Sourced by scripts/ensure-*.sh: a Go-built binary from a cache keyed by version, built from the
# Go module proxy when missing (prebuilt binaries are never downloaded).
#   cached_go_binary NAME PACKAGE VERSION OVERRIDE [BUILD]
# prints the binary's path: $OVERRIDE when it names an executable, else
# ${VOICEFLEET_CACHE:-~/.cache/voicefleet}/NAME/vVERSION/NAME, built there first when missing
# (not with VOICEFLEET_NO_BUILD set: then it fails saying so). BUILD is `install` (the default:
# `go install PACKAGE@vVERSION`) or `module`, for a package whose module carries replace
# directives, which `go install` refuses: it is then built as a tool of a throwaway module.
# Two callers asking at once share one build: the second waits for the first, then finds it.
cached_go_binary() {
  local name=$1 package=$2 version=$3 override=${4:-} build=${5:-install}
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
  mkdir -p "$out"
  exec 9>"$out/.build.lock"
  flock 9
  if [[ -x "$out/$name" ]]; then
    echo "$out/$name"
    return 0
  fi
  echo "building $name v$version (cached in $out; a cold build can take minutes)" >&2
  local tmp
  tmp=$(mktemp -d "$out/.build.XXXXXX")
  # shellcheck disable=SC2064 # expand now: the trap outlives this function's locals
  trap "rm -rf '$tmp'" EXIT
  case $build in
    install)
      GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath -ldflags="-s -w" \
        "$package@v$version" >&2
      ;;
    module)
      (
        cd "$tmp"
        export GOTOOLCHAIN=local GOFLAGS=-mod=mod
        go mod init "voicefleet.local/$name" >&2
        go get -tool "$package@v$version" >&2
        CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$tmp/$name" "$package" >&2
      )
      ;;
    *)
      echo "cached_go_binary: unknown build '$build' (install or module)" >&2
      return 1
      ;;
  esac
  mv "$tmp/$name" "$out/$name"
  echo "$out/$name"
}
