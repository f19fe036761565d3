#!/bin/sh
# Installs Baomi (保密台账) from this unpacked folder, without dpkg and without a network.
#
#   ./install.sh                         for the current user: ~/.local/bin, ~/.local/share/...
#   sudo ./install.sh --system           for every user: /usr/local/bin, /usr/local/share/...
#   ./install.sh --uninstall [--system]  removes what it installed; the vaults stay
#
# It copies the program, its menu entry, its icons and the user guide; it never touches a
# vault ($XDG_DATA_HOME/baomi/vault, by default ~/.local/share/baomi/vault): removing Baomi
# leaves every ledger alone.
set -eu
umask 022

here=$(cd "$(dirname "$0")" && pwd)
mode=user
action=install
for arg in "$@"; do
  case "$arg" in
    --system) mode=system ;;
    --user) mode=user ;;
    --uninstall) action=uninstall ;;
    -h|--help)
      echo "用法 / usage:"
      echo "  ./install.sh                          仅为本人安装 / for this user (~/.local)"
      echo "  sudo ./install.sh --system            为本机所有用户安装 / for every user (/usr/local)"
      echo "  ./install.sh --uninstall [--system]   卸载（台账库不动）/ remove (vaults stay)"
      exit 0 ;;
    *) echo "install.sh: 未知选项 / unknown option: $arg（--help）" >&2; exit 2 ;;
  esac
done

fail() {
  echo "install.sh: $1" >&2
  exit 1
}

if [ "$mode" = system ]; then
  prefix=/usr/local
  [ "$(id -u)" = 0 ] || fail "--system 需要 root 权限（sudo ./install.sh --system）/ --system needs root"
  share="$prefix/share"
else
  prefix="${HOME:?}/.local"
  share="${XDG_DATA_HOME:-$prefix/share}"
fi
bin="$prefix/bin"
apps="$share/applications"
icons="$share/icons/hicolor"
doc="$share/doc/baomi"
sizes="16 24 32 48 64 128 256 512"

refresh_caches() {
  if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$apps" ]; then
    update-desktop-database -q "$apps" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$icons" ]; then
    gtk-update-icon-cache -q -f -t "$icons" 2>/dev/null || true
  fi
}

if [ "$action" = uninstall ]; then
  removed=0
  for f in "$bin/baomi" "$apps/baomi.desktop" "$icons/scalable/apps/baomi.svg"; do
    if [ -e "$f" ]; then rm -f "$f"; removed=$((removed + 1)); fi
  done
  for s in $sizes; do
    if [ -e "$icons/${s}x${s}/apps/baomi.png" ]; then
      rm -f "$icons/${s}x${s}/apps/baomi.png"
      removed=$((removed + 1))
    fi
  done
  if [ -d "$doc" ]; then rm -rf "$doc"; removed=$((removed + 1)); fi
  if [ "$removed" = 0 ]; then
    echo "在 $prefix 没有找到已安装的 Baomi。以 --system 安装的请用 sudo ./install.sh --uninstall --system；安装时设置过 XDG_DATA_HOME 的，卸载时也请设置。" >&2
    echo "No Baomi found under $prefix (installed with --system? use --uninstall --system)." >&2
    exit 1
  fi
  # The menu and icon caches are rebuilt so that they no longer list Baomi.
  refresh_caches
  echo "已卸载 Baomi（$prefix）。台账库未动。"
  echo "Baomi removed ($prefix). The vaults were not touched."
  exit 0
fi

# The folder is complete and the program runs here: a missing file, a damaged copy or a missing
# system library is named now, not at the first start.
[ -f "$here/baomi" ] || fail "安装包不完整：缺少程序文件 baomi。请重新拷贝，并用 sha256sum -c 核对 / the program file is missing"
[ -f "$here/share/baomi.desktop" ] || fail "安装包不完整：缺少 share/baomi.desktop / incomplete folder"
if command -v ldd >/dev/null 2>&1 && ldd "$here/baomi" 2>/dev/null | grep -q "not found"; then
  echo "install.sh: 本机缺少程序需要的系统库 / missing system libraries:" >&2
  ldd "$here/baomi" | grep "not found" >&2
  exit 1
fi
if ! "$here/baomi" --version >/dev/null 2>&1; then
  fail "程序文件无法运行（可能拷贝不完整）。请重新拷贝，并用 sha256sum -c 核对 / the program does not run (damaged copy?)"
fi
# The menu entry names the program in double quotes (a folder may contain spaces); characters
# that would need escaping there are refused rather than written wrong.
case "$bin" in
  *[\"\`\$\\%]*) fail "安装位置含有 \" \` \$ \\ 或 % 字符，菜单项无法正确指向它：$bin" ;;
esac

install -d -m 755 "$bin" "$apps" "$icons/scalable/apps" "$doc" "$doc/images"
install -m 755 "$here/baomi" "$bin/baomi"
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    Exec=*) printf 'Exec="%s"\n' "$bin/baomi" ;;
    *) printf '%s\n' "$line" ;;
  esac
done < "$here/share/baomi.desktop" > "$apps/baomi.desktop"
chmod 644 "$apps/baomi.desktop"
install -m 644 "$here/share/icons/baomi.svg" "$icons/scalable/apps/baomi.svg"
for s in $sizes; do
  install -d -m 755 "$icons/${s}x${s}/apps"
  install -m 644 "$here/share/icons/baomi-$s.png" "$icons/${s}x${s}/apps/baomi.png"
done
for f in "$here/share/doc/"*; do
  if [ -f "$f" ]; then install -m 644 "$f" "$doc/"; fi
done
install -m 644 "$here/share/doc/images/"* "$doc/images/"
if [ -d "$here/share/doc/common-licenses" ]; then
  install -d -m 755 "$doc/common-licenses"
  install -m 644 "$here/share/doc/common-licenses/"* "$doc/common-licenses/"
fi
refresh_caches

echo "已安装 Baomi（保密台账）：$bin/baomi，菜单项 $apps/baomi.desktop"
echo "Installed: $bin/baomi, menu entry $apps/baomi.desktop"
case ":$PATH:" in
  *":$bin:"*) ;;
  *)
    echo "提示：$bin 不在 PATH 中：请从菜单启动，或运行 $bin/baomi"
    echo "Note: $bin is not on PATH: start it from the menu, or run $bin/baomi" ;;
esac
