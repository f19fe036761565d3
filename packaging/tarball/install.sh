#!/bin/sh
# Installs Baomi (保密台账) from this unpacked folder, without dpkg and without a network.
#
#   ./install.sh            for the current user: ~/.local/bin, ~/.local/share/...
#   sudo ./install.sh --system   for every user: /usr/local/bin, /usr/local/share/...
#   ./install.sh --uninstall [--system]   removes what it installed; the vaults stay
#
# It copies the program, its menu entry, its icons and the user guide; it never touches a
# vault (~/.local/share/baomi/vault by default): removing Baomi leaves every ledger alone.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mode=user
action=install
for arg in "$@"; do
  case "$arg" in
    --system) mode=system ;;
    --user) mode=user ;;
    --uninstall) action=uninstall ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$mode" = system ]; then
  prefix=/usr/local
  if [ "$(id -u)" != 0 ]; then
    echo "install.sh: --system needs root (sudo ./install.sh --system)" >&2
    exit 1
  fi
else
  prefix="${HOME:?}/.local"
fi
bin="$prefix/bin"
share="${XDG_DATA_HOME:-}"
if [ "$mode" = system ] || [ -z "$share" ]; then share="$prefix/share"; fi
apps="$share/applications"
icons="$share/icons/hicolor"
doc="$share/doc/baomi"
sizes="16 24 32 48 64 128 256 512"

if [ "$action" = uninstall ]; then
  rm -f "$bin/baomi" "$apps/baomi.desktop" "$icons/scalable/apps/baomi.svg"
  for s in $sizes; do rm -f "$icons/${s}x${s}/apps/baomi.png"; done
  rm -rf "$doc"
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" 2>/dev/null || true
  echo "已卸载 Baomi（$mode）。台账库未动。"
  echo "Baomi removed ($mode). The vaults were not touched."
  exit 0
fi

# The program runs here? (a missing system library is named now, not at first start)
if command -v ldd >/dev/null 2>&1 && ldd "$here/baomi" 2>/dev/null | grep -q "not found"; then
  echo "install.sh: the program needs libraries this system lacks:" >&2
  ldd "$here/baomi" | grep "not found" >&2
  exit 1
fi

install -d -m 755 "$bin" "$apps" "$icons/scalable/apps" "$doc" "$doc/images"
install -m 755 "$here/baomi" "$bin/baomi"
# The menu entry names the program where it was installed.
sed "s|^Exec=.*|Exec=$bin/baomi|" "$here/share/baomi.desktop" > "$apps/baomi.desktop"
chmod 644 "$apps/baomi.desktop"
install -m 644 "$here/share/icons/baomi.svg" "$icons/scalable/apps/baomi.svg"
for s in $sizes; do
  install -d -m 755 "$icons/${s}x${s}/apps"
  install -m 644 "$here/share/icons/baomi-$s.png" "$icons/${s}x${s}/apps/baomi.png"
done
for f in "$here/share/doc/"*; do [ -f "$f" ] && install -m 644 "$f" "$doc/"; done
install -m 644 "$here/share/doc/images/"* "$doc/images/"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" 2>/dev/null || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true

echo "已安装 Baomi（保密台账）：$bin/baomi，菜单项 $apps/baomi.desktop"
echo "Installed: $bin/baomi, menu entry $apps/baomi.desktop"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "提示：$bin 不在 PATH 中，可从菜单启动，或运行 $bin/baomi" ;;
esac
