#!/usr/bin/env bash
# Packaging in CI, on the release binary already built (target/release/baomi):
#  1. the licence check (a dependency under a licence outside the allowed list fails);
#  2. the .deb and the tarball (packaging/dist.sh), with their SHA-256 sums;
#  3. lintian on the .deb: no error (the warnings are listed in packaging/README.md);
#  4. dpkg -i; the binary the .desktop entry names starts under Xvfb (the setup wizard on a
#     fresh HOME), a screenshot is taken (target/dist/installed.png) and must not be blank;
#     dpkg -r removes it and leaves the vault alone;
#  5. the tarball's install.sh in a fresh folder and a fresh HOME: installs, the entry's
#     program runs, --uninstall removes it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-deb >/dev/null; then
  cargo install cargo-deb --locked --version 3.8.0
fi
python3 packaging/licenses.py --check
bash packaging/dist.sh
deb=$(ls target/dist/baomi_*.deb)
tarball=$(ls target/dist/baomi-*.tar.gz)
(cd target/dist && sha256sum -c SHA256SUMS)

echo "== lintian"
lintian --no-tag-display-limit "$deb" | tee target/dist/lintian.txt || true
if grep -q '^E:' target/dist/lintian.txt; then
  echo "package: lintian reports errors"; exit 1
fi

work=$(mktemp -d)
app=
cleanup() {
  # Never `kill 0`: that would end the whole process group, CI's shell with it.
  if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; fi
  if [ -n "${xvfb:-}" ]; then kill "$xvfb" 2>/dev/null || true; fi
  rm -rf "$work"
  return 0
}
trap cleanup EXIT
export XDG_RUNTIME_DIR="$work" LANG=C.UTF-8
Xvfb :96 -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do DISPLAY=:96 xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

# Starts the program a .desktop file names in its Exec line, on a fresh HOME; takes a screenshot.
start_from_entry() {
  local entry=$1 home=$2 shot=$3
  local exec
  exec=$(sed -n 's/^Exec=//p' "$entry" | head -n1)
  exec=${exec#\"}; exec=${exec%\"}
  echo "package: $entry starts $exec"
  [ -x "$exec" ] || { echo "package: $exec is not an executable file"; exit 1; }
  mkdir -p "$home"
  HOME="$home" DISPLAY=:96 "$exec" &
  app=$!
  DISPLAY=:96 timeout 60 xdotool search --sync --onlyvisible --name "Baomi" >/dev/null
  sleep 3
  DISPLAY=:96 import -window root "$shot"
  local colors
  colors=$(convert "$shot" -format '%k' info:)
  echo "package: screenshot $shot has $colors colours"
  kill -TERM "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true
  app=
  if [ "$colors" -lt 8 ]; then echo "package: the window is blank"; exit 1; fi
}

echo "== dpkg -i (with the network cut, as on the office PC)"
if unshare -n true 2>/dev/null; then
  unshare -n -- dpkg -i "$deb"
else
  dpkg -i "$deb"
fi
dpkg -s baomi | grep -E '^(Version|Depends|Installed-Size):'
start_from_entry /usr/share/applications/baomi.desktop "$work/home-deb" target/dist/installed.png
# A vault in a user's folder survives the removal of the package.
mkdir -p "$work/home-deb/.local/share/baomi/vault" && echo keep > "$work/home-deb/.local/share/baomi/vault/marker"
dpkg -r baomi
if [ -e /usr/bin/baomi ] || [ -e /usr/share/applications/baomi.desktop ]; then
  echo "package: dpkg -r left files behind"; exit 1
fi
[ -f "$work/home-deb/.local/share/baomi/vault/marker" ] || { echo "package: the vault went"; exit 1; }
echo "package: installed, started from its menu entry, removed; the vault stayed"

echo "== tarball: install.sh in a fresh folder (a home folder with a space in its name)"
mkdir -p "$work/usb" "$work/home tar"
tar -xzf "$tarball" -C "$work/usb"
dir=$(ls -d "$work"/usb/baomi-*)
(cd / && HOME="$work/home tar" XDG_DATA_HOME= sh "$dir/install.sh")
entry="$work/home tar/.local/share/applications/baomi.desktop"
[ -f "$entry" ] || { echo "package: install.sh wrote no menu entry"; exit 1; }
[ -f "$work/home tar/.local/share/icons/hicolor/256x256/apps/baomi.png" ] || { echo "package: no icon"; exit 1; }
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$entry"
fi
start_from_entry "$entry" "$work/home tar" target/dist/tarball.png
HOME="$work/home tar" XDG_DATA_HOME= sh "$dir/install.sh" --uninstall
[ ! -e "$work/home tar/.local/bin/baomi" ] || { echo "package: --uninstall left the binary"; exit 1; }
[ ! -e "$entry" ] || { echo "package: --uninstall left the menu entry"; exit 1; }
# Nothing installed any more: a second --uninstall says so and fails.
if HOME="$work/home tar" XDG_DATA_HOME= sh "$dir/install.sh" --uninstall 2>/dev/null; then
  echo "package: --uninstall of nothing claimed success"; exit 1
fi
echo "package: tarball installed per user, started from its entry, uninstalled"
