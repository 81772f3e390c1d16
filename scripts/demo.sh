#!/usr/bin/env bash
# Sets everything up, then runs the main job: `weft demo` (a lab with the
# seeds' scenario, left running for you to explore). `--kubernetes` runs it in
# Kubernetes mode (and builds the control-plane binaries once first).
# Run as root; as another user it re-runs itself through sudo.
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "weft needs root (network namespaces, nftables) and there is no sudo: run this as root" >&2; exit 1; }
  exec sudo "$self" "$@"
fi
bash scripts/setup.sh "$@"
exec bin/weft demo "$@"
