#!/usr/bin/env bash
# The user guide's screenshots (docs/images/*.png), taken from the real release binary under
# Xvfb at 1366×768 on a demo vault, by clicking the sections the way a user does. Run it after
# a change to a screen the guide shows; look at every picture before committing it.
#   bash packaging/screenshots.sh            (needs Xvfb, xdotool, imagemagick)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/baomi ] || cargo build --release --locked
bin=$PWD/target/release/baomi
out=$PWD/docs/images
mkdir -p "$out"
work=$(mktemp -d)
app=
xvfb=
cleanup() {
  if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; fi
  if [ -n "$xvfb" ]; then kill "$xvfb" 2>/dev/null || true; fi
  rm -rf "$work" /tmp/baomi-guide
  return 0
}
trap cleanup EXIT
# A home folder that reads well in the pictures (the forms' save location shows it).
export DISPLAY=:92 HOME=/tmp/baomi-guide/home/wangbm LANG=C.UTF-8 XDG_RUNTIME_DIR="$work"
rm -rf /tmp/baomi-guide
mkdir -p "$HOME"
Xvfb "$DISPLAY" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

pass='Ridge-Falcon-Amber-61'

start() {
  "$bin" --vault "$1" >/dev/null 2>&1 &
  app=$!
  timeout 60 xdotool search --sync --onlyvisible --name "Baomi" >/dev/null
  win=$(xdotool search --onlyvisible --name "Baomi" | tail -1)
  xdotool windowsize "$win" 1366 768
  xdotool windowmove "$win" 0 0
  sleep 1.5
  xdotool windowfocus --sync "$win" 2>/dev/null || true
}
stop() {
  kill -TERM "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  app=
  rm -f "$1/ledger.lock"
}
shot() {
  xdotool mousemove 1360 760
  sleep "${2:-1}"
  import -window "$win" "$out/$1.png"
  echo "screenshots: $1.png"
}
click() { xdotool mousemove "$1" "$2" click 1; sleep 1; }

# The setup wizard on a fresh folder.
start "$work/fresh"
shot wizard
stop "$work/fresh"

# A demo office: the custodian and the demo registers.
printf '%s\n' "$pass" | "$bin" --vault "$work/vault" init --unit "某县委办公室" \
  --user wangbm --name "王保密" --department "党委办公室" --demo >/dev/null
printf '%s\n' "$pass" | "$bin" --vault "$work/vault" demo --documents 60 >/dev/null

start "$work/vault"
shot login
# 忘记口令？使用恢复密钥 (the link right of 解锁), then back.
click 540 267
shot recovery
stop "$work/vault"

start "$work/vault"
xdotool type --delay 20 "$pass"
xdotool key Return
sleep 3
shot dashboard
# The sections of the left bar, 38 px apart from 工作台 at y = 61.
nav() { click 73 $((61 + 38 * $1)); }
nav 1; shot documents
nav 3; shot borrowing
nav 4; shot destruction
nav 5; shot stocktake
nav 10; shot backup
stop "$work/vault"
