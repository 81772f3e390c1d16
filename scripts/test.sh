#!/usr/bin/env bash
# Sets everything up (Kubernetes mode's binaries included), then runs the whole
# suite: type-check, lint, unit tests, and the integration tests (real etcd,
# network namespaces, nftables, a real Kubernetes control plane, Prometheus,
# Chromium). Run as root; as another user it re-runs itself through sudo.
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "the tests need root (network namespaces, nftables) and there is no sudo: run this as root" >&2; exit 1; }
  exec sudo "$self" "$@"
fi
bash scripts/setup.sh --kubernetes
exec npm test
