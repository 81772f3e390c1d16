#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler once from
# Debian's own source package `kubernetes` (1.20, everything vendored) with
# Debian's Go, the way the package's debian/rules does, and caches them
# outside the checkout. Idempotent: a cache with all three binaries is reused.
# WEFT_KUBE_BIN=DIR uses binaries you already have instead (nothing is built).
# Prints the directory holding the binaries on its last line.
set -euo pipefail

if [ -n "${WEFT_KUBE_BIN:-}" ]; then
  for b in kube-apiserver kube-controller-manager kube-scheduler; do
    [ -x "$WEFT_KUBE_BIN/$b" ] || { echo "WEFT_KUBE_BIN=$WEFT_KUBE_BIN has no executable $b" >&2; exit 1; }
  done
  echo "$WEFT_KUBE_BIN"
  exit 0
fi

cache=${WEFT_KUBE_CACHE:-/var/cache/weft/kube}
bin="$cache/bin"
if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ] && [ -x "$bin/kube-scheduler" ]; then
  echo "==> Kubernetes control-plane binaries cached in $bin" >&2
  echo "$bin"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "building the Kubernetes binaries needs root (apt-get): run this with sudo" >&2
  exit 1
fi

# apt-get source needs a deb-src entry for the same archive as the machine's deb entries.
src_list=/etc/apt/sources.list.d/weft-deb-src.sources
if ! apt-get source --print-uris kubernetes >/dev/null 2>&1; then
  echo "==> adding $src_list (deb-src of Debian's archive, for apt-get source kubernetes)" >&2
  cat > "$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
fi

need=()
for p in golang-go rsync jq dpkg-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "==> apt-get install ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$cache"
cd "$cache"
tree=$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
if [ -z "$tree" ]; then
  echo "==> apt-get source kubernetes (into $cache)" >&2
  apt-get source -qq kubernetes >&2
  tree=$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
fi
cd "$tree"
echo "==> building kube-apiserver, kube-controller-manager, kube-scheduler from $cache/${tree#./} (about 15 minutes on 2 cores; once)" >&2
export GOPATH="$PWD/.go" CGO_ENABLED=0 PATH="/usr/lib/go/bin:$PATH" GOFLAGS=-mod=vendor
mkdir -p .go/src/k8s.io
[ -L .go/src/k8s.io/kubernetes ] || ln -s ../../.. .go/src/k8s.io/kubernetes
env HOME="$cache/home" make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" >&2
mkdir -p "$bin"
for b in kube-apiserver kube-controller-manager kube-scheduler; do
  install -m 0755 "_output/bin/$b" "$bin/$b.tmp" && mv "$bin/$b.tmp" "$bin/$b"
done
echo "==> Kubernetes control-plane binaries in $bin" >&2
echo "$bin"
