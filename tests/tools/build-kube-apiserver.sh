#!/usr/bin/env bash
# Builds a real kube-apiserver for the Kubernetes end-to-end tests, which no Debian package ships as a binary: v1.20.2
# from Debian bookworm's `kubernetes` source package (its Go dependencies vendored) with Debian's Go. Takes 10-13
# minutes on two cores and 1.3 GB of memory, once: the binary is kept in $ORLEANSSTREAM_CACHE (default
# /var/cache/orleansstream, outside the repository); the Go cache and sources are deleted afterwards.
#
#   tests/tools/build-kube-apiserver.sh    # prints the binary's path
set -euo pipefail

cache="${ORLEANSSTREAM_CACHE:-/var/cache/orleansstream}"
binary="$cache/kube-apiserver/v1.20.2/kube-apiserver"
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/apt/lists/partial" "$work/src" "$work/bin" "$work/gopath/src/k8s.io"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends golang-go golang-github-modern-go-reflect2-dev openssl > "$work/apt.log" 2>&1 \
  || { cat "$work/apt.log" >&2; exit 1; }

# The source package, through an apt configuration of our own (the machine's lists have no deb-src).
mirror="$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 | awk '{print $2}')"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror:-http://deb.debian.org/debian} bookworm main" > "$work/apt/sources.list"
apt_options=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/apt/lists")
apt-get "${apt_options[@]}" update -qq
(cd "$work/src" && apt-get "${apt_options[@]}" source --download-only -qq kubernetes && tar xzf kubernetes_*.orig.tar.gz)
source_dir="$(ls -d "$work"/src/kubernetes-*/ | head -n 1)"
source_dir="${source_dir%/}"

# The vendored reflect2 1.0.1 crashes with Go 1.18 and later: Debian's 1.0.2 instead.
reflect2="$source_dir/vendor/github.com/modern-go/reflect2"
rm -rf "$reflect2" && mkdir -p "$reflect2"
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$reflect2/"
rm -f "$reflect2"/*_test.go
ln -sfn "$source_dir" "$work/gopath/src/k8s.io/kubernetes"

export GO111MODULE=off GOFLAGS= GOPATH="$work/gopath" GOCACHE="$work/gocache" CGO_ENABLED=0
cd "$work/gopath/src/k8s.io/kubernetes"

# The OpenAPI definitions are generated in Kubernetes' own build and not in the tarball.
go build -o "$work/bin/openapi-gen" k8s.io/kubernetes/vendor/k8s.io/kube-openapi/cmd/openapi-gen
packages="$(find -H . -not \( \( -path ./_\* -o -path ./.\* -o -path ./vendor \) -prune \) -type f -name '*.go' \
  | sed 's|^./staging/src|vendor|; s|/[^/]*$||; s|^./||' | LC_ALL=C sort -u \
  | grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' \
  | while read -r dir; do grep -l '^// *+k8s:' "$dir"/*.go 2>/dev/null || true; done \
  | xargs grep -l '+k8s:openapi-gen=' | xargs -n1 dirname | LC_ALL=C sort -u | sed 's|^|k8s.io/kubernetes/|' | paste -sd,)"
"$work/bin/openapi-gen" --logtostderr -i "$packages" -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
  -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt -r "$work/openapi-violations.report" 2> /dev/null

version=k8s.io/kubernetes/vendor/k8s.io/component-base/version
go build -ldflags "-s -w -X $version.gitVersion=v1.20.2 -X $version.gitMajor=1 -X $version.gitMinor=20" -o "$work/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
mkdir -p "$(dirname "$binary")"
mv "$work/bin/kube-apiserver" "$binary.partial" && mv "$binary.partial" "$binary"
echo "$binary"
