#!/usr/bin/env bash
# Makes a Docker engine available for the image builds and the container-level tests:
# installs Debian's docker.io (with the other container packages) when missing and starts
# dockerd when nothing answers on its socket. Needs root. dockerd keeps running afterwards
# (it is the machine's engine, shared by every run); its images are the build cache.
#   log: /tmp/voicefleet-dockerd.log   PID: /tmp/voicefleet-dockerd.pid
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-packages.sh containers
docker info >/dev/null 2>&1 && exit 0

[[ $(id -u) -eq 0 ]] || { echo "ensure-docker: dockerd is not running; start it as root" >&2; exit 1; }
# Two suites may get here at once: the second waits for the first's dockerd.
exec 9>/tmp/voicefleet-dockerd.lock
flock 9
docker info >/dev/null 2>&1 && exit 0
log=/tmp/voicefleet-dockerd.log
echo "ensure-docker: starting dockerd (log $log)" >&2
setsid dockerd --pidfile /tmp/voicefleet-dockerd.pid >>"$log" 2>&1 </dev/null &
for _ in $(seq 150); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 0.2
done
echo "ensure-docker: dockerd did not answer within 30 s; its log:" >&2
tail -n 30 "$log" >&2
exit 1
