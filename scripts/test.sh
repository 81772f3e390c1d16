#!/usr/bin/env bash
# Sets everything up, then runs the whole suite: type-check, lint, unit tests,
# and the integration tests (real etcd, network namespaces, nftables).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup.sh
exec npm test
