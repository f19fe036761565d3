#!/usr/bin/env bash
# On a CONNECTED machine: makes the offline source bundle
#   target/offline/baomi-src-<version>.tar.gz (+ .sha256)
# holding the source of the committed HEAD, every crate it needs vendored under vendor/ (all
# platforms: the same bundle builds on x86_64 and on arm64) and a .cargo/config.toml that points
# cargo at vendor/ and forbids the network. On the isolated machine:
#   tar xzf baomi-src-<version>.tar.gz && cd baomi-src-<version>
#   cargo build --release --offline --frozen
# (packaging/README.md, step by step).
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
name="baomi-src-$version"
out="target/offline"
rm -rf "${out:?}/$name" "$out/$name.tar.gz" "$out/$name.tar.gz.sha256"
mkdir -p "$out/$name"

if ! git diff --quiet HEAD -- 2>/dev/null; then
  echo "vendor.sh: note: uncommitted changes are not in the bundle (it takes HEAD)" >&2
fi
git archive --format=tar HEAD | tar -x -C "$out/$name"

(
  cd "$out/$name"
  # --versioned-dirs: vendor/<crate>-<version>, the paths packaging/deb/copyright names.
  cargo vendor --locked --versioned-dirs vendor > vendor-config.toml
  mkdir -p .cargo
  {
    echo "# Written by packaging/vendor.sh: build from vendor/ only, never the network."
    cat vendor-config.toml
    echo
    echo "[net]"
    echo "offline = true"
  } > .cargo/config.toml
  rm vendor-config.toml
)

# Deterministic enough to compare two runs: sorted names, fixed owner and times.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2026-01-01 00:00Z' \
  -C "$out" -czf "$out/$name.tar.gz" "$name"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
du -sh "$out/$name/vendor" "$out/$name.tar.gz"
echo "offline source bundle: $out/$name.tar.gz (sha256 in $name.tar.gz.sha256)"
