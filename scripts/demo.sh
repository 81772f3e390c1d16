#!/usr/bin/env bash
# Sets everything up, then runs the main job: `weft demo` (a lab with the
# seeds' scenario, left running for you to explore).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup.sh
exec bin/weft demo "$@"
