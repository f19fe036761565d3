#!/usr/bin/env bash
# Builds the two artefacts for an isolated PC from the release binary (built once; CI reuses
# it): target/dist/baomi_<version>-1_<arch>.deb and target/dist/baomi-<version>-linux-<arch>.tar.gz,
# with SHA-256 sums beside each and in target/dist/SHA256SUMS. Needs cargo-deb
# (`cargo install cargo-deb`), dpkg-dev and gzip.
set -euo pipefail
cd "$(dirname "$0")/.."

# Always through cargo (a no-op when it is up to date): `cargo bench` leaves a binary with the
# test hooks in target/release, which must never be packaged.
cargo build --release --locked
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
dist=target/dist
stage=target/packaging
rm -rf "$dist" "$stage"
mkdir -p "$dist" "$stage"

# The licence report must match the dependencies being shipped.
python3 packaging/licenses.py --check

# Generated package files (compressed as Debian policy wants).
gzip -9n -c packaging/deb/baomi.1 > "$stage/baomi.1.gz"

# The .deb (metadata and file list: [package.metadata.deb] in Cargo.toml).
cargo deb --no-build --no-strip --locked --output "$dist/" >/dev/null
deb=$(ls "$dist"/baomi_*.deb)

# The portable tarball.
name="baomi-$version-linux-$arch"
tree="$stage/$name"
mkdir -p "$tree/share/icons" "$tree/share/doc/images"
install -m 755 target/release/baomi "$tree/baomi"
install -m 755 packaging/tarball/install.sh "$tree/install.sh"
install -m 644 packaging/tarball/README.txt "$tree/README.txt"
install -m 644 packaging/deb/baomi.desktop "$tree/share/baomi.desktop"
install -m 644 packaging/icons/baomi.svg packaging/icons/baomi-*.png "$tree/share/icons/"
install -m 644 docs/user-guide.md packaging/licenses/dependencies.md packaging/deb/copyright \
  "$tree/share/doc/"
install -m 644 docs/images/*.png "$tree/share/doc/images/"
# The licence texts the copyright file refers to in /usr/share/common-licenses, for systems
# without that folder (the tarball is for systems without dpkg).
mkdir -p "$tree/share/doc/common-licenses"
for l in Apache-2.0 MPL-2.0 GPL-2 CC0-1.0; do
  install -m 644 "/usr/share/common-licenses/$l" "$tree/share/doc/common-licenses/"
done
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2026-01-01 00:00Z' \
  -C "$stage" -czf "$dist/$name.tar.gz" "$name"

(
  cd "$dist"
  for f in *.deb *.tar.gz; do sha256sum "$f" > "$f.sha256"; done
  sha256sum *.deb *.tar.gz > SHA256SUMS
)
ls -l "$dist"
echo "binary: $(stat -c %s target/release/baomi) bytes; deb: $(stat -c %s "$deb") bytes"
