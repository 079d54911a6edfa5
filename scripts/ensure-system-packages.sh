#!/usr/bin/env bash
# Installs the Debian packages voicefleet runs against, only those missing.
#   bash scripts/ensure-system-packages.sh [containers]
# Always:
#   kamailio (+ extra/utils modules)   the SIP edge
#   sip-tester                          sipp, the SIP/RTP load and conformance peer
#   espeak-ng, sox                      offline text-to-speech and audio conversion
#   pocketsphinx(-en-us), python3-…     offline grammar speech recognition
#   prometheus                          promtool and a real Prometheus for rule/dashboard tests
# With `containers` (the image and real-cluster test tiers) also:
#   docker.io                           builds the images (Debian's engine, run as root)
#   debootstrap                         makes the Debian base images when no registry is reachable
#   containerd, runc                    the real cluster's container runtime (CRI)
#   containernetworking-plugins         its pod network (bridge, host-local, portmap, loopback)
#   iptables, conntrack                 kube-proxy's Service rules
#   ipset                               kube-router's NetworkPolicy firewall (its address sets)
set -euo pipefail

packages=(kamailio kamailio-extra-modules kamailio-utils-modules sip-tester espeak-ng sox
  pocketsphinx pocketsphinx-en-us python3-pocketsphinx prometheus iproute2 util-linux)
if [[ ${1:-} == containers ]]; then
  packages+=(docker.io debootstrap containerd runc containernetworking-plugins iptables conntrack ipset)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=sudo
  command -v sudo >/dev/null || {
    echo "ensure-system-packages: missing ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
    exit 1
  }
else
  sudo_cmd=
fi
echo "ensure-system-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Several suites may install at once: dpkg's own lock fails the second one instead of waiting.
lock=(flock /tmp/voicefleet-apt.lock)
$sudo_cmd "${lock[@]}" apt-get update -qq >&2
# Debian's prometheus and docker.io packages would start system services; policy-rc.d keeps
# every daemon down (the tests start what they need themselves).
policy=/usr/sbin/policy-rc.d
created_policy=
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
  $sudo_cmd chmod +x "$policy"
  created_policy=1
fi
$sudo_cmd "${lock[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
[[ -n $created_policy ]] && $sudo_cmd rm -f "$policy"
exit 0
