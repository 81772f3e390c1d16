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
# The build recipe: bump it when the build changes, so a cache built the old way is rebuilt.
recipe="1.20-debian-go1.19-reflect2-go118-ipam-immediate"
if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ] && [ -x "$bin/kube-scheduler" ] && [ "$(cat "$bin/.recipe" 2>/dev/null)" = "$recipe" ]; then
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

# Kubernetes 1.20 vendors modern-go/reflect2 1.0.1, whose map iterator assumes the
# runtime's hash-iterator layout before Go 1.18; built with Debian's Go 1.19 it
# faults (json-iterator decoding any map: every custom resource kills the API
# server). reflect2 1.0.2 fixed it by letting the caller own the iterator; the
# same change, applied to the vendored copy:
r2=vendor/github.com/modern-go/reflect2
if [ ! -f "$r2/go_above_118.go" ]; then
  echo "==> patching vendored modern-go/reflect2 for Go >= 1.18 (as reflect2 1.0.2)" >&2
  perl -0pi -e 's{// m escapes into the return value, but the caller of mapiterinit\n// doesn.t let the return value escape\.\n//go:noescape\n//go:linkname mapiterinit reflect\.mapiterinit\nfunc mapiterinit\(rtype unsafe\.Pointer, m unsafe\.Pointer\) \*hiter\n\n}{}s or die "reflect2: mapiterinit declaration not found\n"' "$r2/unsafe_link.go"
  perl -0pi -e 's{type hiter struct \{.*?\n\}}{type hiter struct {\n\tkey         unsafe.Pointer\n\tvalue       unsafe.Pointer\n\tt           unsafe.Pointer\n\th           unsafe.Pointer\n\tbuckets     unsafe.Pointer\n\tbptr        unsafe.Pointer\n\toverflow    *[]unsafe.Pointer\n\toldoverflow *[]unsafe.Pointer\n\tstartBucket uintptr\n\toffset      uint8\n\twrapped     bool\n\tB           uint8\n\ti           uint8\n\tbucket      uintptr\n\tcheckBucket uintptr\n}}s or die "reflect2: hiter not found\n"' "$r2/unsafe_link.go"
  perl -0pi -e 's{func \(type2 \*UnsafeMapType\) UnsafeIterate\(obj unsafe\.Pointer\) MapIterator \{.*?\n\}\n}{}s or die "reflect2: UnsafeIterate not found\n"' "$r2/unsafe_map.go"
  cat > "$r2/go_above_118.go" <<'GO'
//+build go1.18

package reflect2

import (
	"unsafe"
)

// m escapes into the return value, but the caller of mapiterinit
// doesn't let the return value escape.
//go:noescape
//go:linkname mapiterinit reflect.mapiterinit
func mapiterinit(rtype unsafe.Pointer, m unsafe.Pointer, it *hiter)

func (type2 *UnsafeMapType) UnsafeIterate(obj unsafe.Pointer) MapIterator {
	var it hiter
	mapiterinit(type2.rtype, *(*unsafe.Pointer)(obj), &it)
	return &UnsafeMapIterator{
		hiter:      &it,
		pKeyRType:  type2.pKeyRType,
		pElemRType: type2.pElemRType,
	}
}
GO
  cat > "$r2/go_below_118.go" <<'GO'
//+build !go1.18

package reflect2

import (
	"unsafe"
)

// m escapes into the return value, but the caller of mapiterinit
// doesn't let the return value escape.
//go:noescape
//go:linkname mapiterinit reflect.mapiterinit
func mapiterinit(rtype unsafe.Pointer, m unsafe.Pointer) (val *hiter)

func (type2 *UnsafeMapType) UnsafeIterate(obj unsafe.Pointer) MapIterator {
	return &UnsafeMapIterator{
		hiter:      mapiterinit(type2.rtype, *(*unsafe.Pointer)(obj)),
		pKeyRType:  type2.pKeyRType,
		pElemRType: type2.pElemRType,
	}
}
GO
fi

# The controller manager's node IPAM lists the Nodes with wait.Poll(10s, …),
# which sleeps 10 s before its first try: a new lab cluster's first PodCIDR,
# and so its first Ready node, came 10 s late. Try at once, then every 10 s:
ipam=pkg/controller/nodeipam/ipam/cidr_allocator.go
if grep -q 'wait\.Poll(10\*time\.Second, apiserverStartupGracePeriod' "$ipam"; then
  echo "==> patching the node IPAM's first Node list to run at once (wait.PollImmediate)" >&2
  sed -i 's/wait\.Poll(10\*time\.Second, apiserverStartupGracePeriod/wait.PollImmediate(10*time.Second, apiserverStartupGracePeriod/' "$ipam"
fi
grep -q 'wait\.PollImmediate(10\*time\.Second, apiserverStartupGracePeriod' "$ipam" || { echo "node IPAM: the Node list's poll not found in $ipam" >&2; exit 1; }

echo "==> building kube-apiserver, kube-controller-manager, kube-scheduler from $cache/${tree#./} (about 15 minutes on 2 cores; once)" >&2
export GOPATH="$PWD/.go" CGO_ENABLED=0 PATH="/usr/lib/go/bin:$PATH" GOFLAGS=-mod=vendor
mkdir -p .go/src/k8s.io
[ -L .go/src/k8s.io/kubernetes ] || ln -s ../../.. .go/src/k8s.io/kubernetes
env HOME="$cache/home" make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" >&2
mkdir -p "$bin"
for b in kube-apiserver kube-controller-manager kube-scheduler; do
  install -m 0755 "_output/bin/$b" "$bin/$b.tmp" && mv "$bin/$b.tmp" "$bin/$b"
done
echo "$recipe" > "$bin/.recipe"
echo "==> Kubernetes control-plane binaries in $bin" >&2
echo "$bin"
