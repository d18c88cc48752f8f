#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing.
# The dashboard's browser tests drive Debian's Chromium (playwright-core
# downloads no browser of its own). The deploy test renders the kustomize
# overlays with `kubectl kustomize`: Debian's kubectl is kubernetes-client.
# The JetStream log tests start Debian's nats-server (2.9, in /usr/sbin).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
[ -x /usr/sbin/nats-server ] || need+=(nats-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
fi
