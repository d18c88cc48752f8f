#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing.
# Nothing here is needed yet beyond Node itself; later parts add servers.
set -euo pipefail
need=()
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
fi
