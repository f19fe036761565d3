#!/usr/bin/env bash
# Real-window smoke test: the release binary on a fresh vault path under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/baomi ] || cargo build --release --locked
work=$(mktemp -d)
# Never `kill 0` (an unset pid): that would end the whole process group, CI's shell with it.
# (and never a failing `kill` as the trap's last word: under `set -e` it becomes the exit status).
cleanup() {
  if [ -n "${app:-}" ]; then kill "$app" 2>/dev/null || true; fi
  if [ -n "${xvfb:-}" ]; then kill "$xvfb" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_RUNTIME_DIR="$work" HOME="$work/home" LANG=C.UTF-8
mkdir -p "$HOME"
Xvfb :97 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do DISPLAY=:97 xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
DISPLAY=:97 strace -f -qq -e trace=socket,connect -o "$work/strace.txt" \
  target/release/baomi --vault "$work/vault" &
app=$!
DISPLAY=:97 timeout 60 xdotool search --sync --name "Baomi" >/dev/null
sleep 3
DISPLAY=:97 import -window root "$work/shot.png"
colors=$(convert "$work/shot.png" -format '%k' info:)
echo "smoke: screenshot has $colors colours"
mkdir -p target/smoke && cp "$work/shot.png" target/smoke/wizard.png
if [ "$colors" -lt 8 ]; then echo "smoke: the window is blank"; exit 1; fi
# Stop the app itself (killing strace would only detach it), then let strace finish.
pkill -TERM -f "release/baomi --vault $work/vault" || true
wait "$app" 2>/dev/null || true
if grep -E 'AF_INET6?[,)]' "$work/strace.txt"; then
  echo "smoke: the app opened a network socket"; exit 1
fi
echo "smoke: $(grep -c 'socket(' "$work/strace.txt") socket() calls, none AF_INET/AF_INET6"
