#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing.
# The dashboard's browser tests drive Debian's Chromium (playwright-core
# downloads no browser of its own). The deploy test renders the kustomize
# overlays with `kubectl kustomize`: Debian's kubectl is kubernetes-client.
# The JetStream log tests start Debian's nats-server (2.9, in /usr/sbin).
# The ClickHouse warehouse tests start Debian's clickhouse-server (18.16)
# themselves, on ports and directories of their own; the package's system
# service is not wanted, so services are kept from starting during the
# install (policy-rc.d, exit 101 = "denied").
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
[ -x /usr/sbin/nats-server ] || need+=(nats-server)
[ -x /usr/sbin/clickhouse-server ] || need+=(clickhouse-server)
if [ ${#need[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    made_policy=1
  fi
  status=0
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" || status=$?
  [ "$made_policy" = 0 ] || "${sudo[@]}" rm -f "$policy"
  exit "$status"
fi
