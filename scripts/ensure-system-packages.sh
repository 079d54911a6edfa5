#!/usr/bin/env bash
# Installs the Debian packages voicefleet runs against, only those missing.
#   kamailio (+ extra/utils modules)   the SIP edge
#   sip-tester                          sipp, the SIP/RTP load and conformance peer
#   espeak-ng, sox                      offline text-to-speech and audio conversion
#   pocketsphinx(-en-us), python3-…     offline grammar speech recognition
#   prometheus                          promtool and a real Prometheus for rule/dashboard tests
set -euo pipefail

packages=(kamailio kamailio-extra-modules kamailio-utils-modules sip-tester espeak-ng sox
  pocketsphinx pocketsphinx-en-us python3-pocketsphinx prometheus iproute2 util-linux)

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
$sudo_cmd apt-get update -qq >&2
# Debian's prometheus package would start a system service; policy-rc.d keeps every daemon down.
policy=/usr/sbin/policy-rc.d
created_policy=
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
  $sudo_cmd chmod +x "$policy"
  created_policy=1
fi
$sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
[[ -n $created_policy ]] && $sudo_cmd rm -f "$policy"
exit 0
