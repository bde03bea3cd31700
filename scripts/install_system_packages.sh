#!/usr/bin/env bash
# Installs the Debian packages shanzhi needs beyond PyPI:
#   fonts-wqy-microhei  a CJK font so charts render Chinese characters (no empty boxes)
#   chromium, chromium-driver  headless browser for the end-to-end app test
#   postgresql  the server the store's tests start as a throwaway cluster (tests/pg_cluster.py)
# Runs only where apt-get exists and we are root; elsewhere it says what to install and goes on.
set -euo pipefail
need=()
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-wqy-microhei)
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "note: please install ${need[*]} (a CJK font and Chromium); continuing without them" >&2
fi
