#!/usr/bin/env bash
# Installs what the scale-out stack (ops/scaled_stack.py) needs beyond the normal one, from
# Debian's packages, only when missing: redis-server and nginx. It never starts their system
# services: the scaled stack runs its own private redis-server and nginx as child processes.
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi

missing=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing ${missing[*]} from Debian's packages..." >&2
# Debian's maintainer scripts start a service on install unless policy-rc.d says no (101).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
