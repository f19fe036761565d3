#!/usr/bin/env bash
# Typing Chinese as a user does: the release binary on a vault made with `init`, under Xvfb with
# a real input method (fcitx5 pinyin, or ibus-libpinyin), driven by xdotool through the keyboard
# only: passphrase, Enter, Ctrl+N, the title typed as pinyin `baomi` + space, the pages, Enter.
# Then `list documents --json` must hold a document whose title contains 保密.
# Usage: .ci/ime.sh fcitx5|ibus   (expects target/release/baomi; see ../shared/toolchain.md)
set -euo pipefail
cd "$(dirname "$0")/.."
im=${1:?usage: ime.sh fcitx5|ibus}
bin=$PWD/target/release/baomi
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pkill -f "ibus-daemon -d -r -x" 2>/dev/null || true
  [ -n "${DBUS_SESSION_BUS_PID:-}" ] && kill "$DBUS_SESSION_BUS_PID" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
export HOME="$work/home" XDG_RUNTIME_DIR="$work" LANG=C.UTF-8 DISPLAY=:43
mkdir -p "$HOME"
vault="$work/vault"
pass="ime-test passphrase 2026"

# A demo vault made with `init --demo`, and the demo's cabinets and people (no documents).
printf '%s\n' "$pass" | "$bin" --vault "$vault" init --unit "某公司党委办公室" \
  --user wang --name "王保密" --demo >/dev/null
printf '%s\n' "$pass" | "$bin" --vault "$vault" demo --documents 0 >/dev/null

Xvfb :43 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
eval "$(dbus-launch --sh-syntax)"

# A cold start (dictionaries not yet in the page cache, a busy machine) can take seconds.
wait_xim() {
  for _ in $(seq 200); do
    xprop -root XIM_SERVERS 2>/dev/null | grep -q "@server=$1" && return 0
    sleep 0.1
  done
  echo "ime: the $1 input method did not start"; return 1
}

case "$im" in
  fcitx5)
    mkdir -p "$HOME/.config/fcitx5/conf"
    cat >"$HOME/.config/fcitx5/profile" <<'EOF'
[Groups/0]
Name=Default
Default Layout=us
DefaultIM=pinyin

[Groups/0/Items/0]
Name=keyboard-us
Layout=

[Groups/0/Items/1]
Name=pinyin
Layout=

[GroupOrder]
0=Default
EOF
    printf 'CloudPinyinEnabled=False\n' >"$HOME/.config/fcitx5/conf/pinyin.conf"
    export XMODIFIERS=@im=fcitx
    # Seen on a busy machine: a first fcitx5 that never registers its XIM server. Start it
    # again (up to three times), showing its log, before giving up.
    started=""
    for attempt in 1 2 3; do
      fcitx5 -D -r >"$work/im.log" 2>&1 &
      fcitx=$!
      pids+=($fcitx)
      if wait_xim fcitx; then started=1; break; fi
      echo "ime: fcitx5 attempt $attempt did not register; its log:"; tail -5 "$work/im.log"
      kill "$fcitx" 2>/dev/null || true
      sleep 1
    done
    [ -n "$started" ] || exit 1
    ;;
  ibus)
    export XMODIFIERS=@im=ibus
    ibus-daemon -d -r -x >"$work/im.log" 2>&1
    wait_xim ibus || { tail -5 "$work/im.log"; exit 1; }
    ;;
  *) echo "ime: unknown input method $im"; exit 2 ;;
esac

"$bin" --vault "$vault" >"$work/app.log" 2>&1 &
app=$!
pids+=($app)
timeout 60 xdotool search --sync --onlyvisible --name "Baomi" >/dev/null
sleep 2
for _ in $(seq 20); do
  win=$(xdotool search --onlyvisible --name "Baomi" | tail -1)
  xdotool windowfocus --sync "$win" 2>/dev/null && break
  sleep 0.5
done

# Sign in: the passphrase field has the focus; the input method is still off.
xdotool type --delay 60 "$pass"
xdotool key Return
sleep 4
# Ctrl+N opens 收文登记 with the focus in 标题.
xdotool key ctrl+n
sleep 1.5

# Pinyin on, `baomi` + space → 保密; pinyin off.
case "$im" in
  fcitx5) xdotool key ctrl+space ;;
  ibus)
    for _ in $(seq 50); do
      ibus engine libpinyin 2>/dev/null || true
      [ "$(ibus engine 2>/dev/null)" = libpinyin ] && break
      sleep 0.2
    done
    # egui turns the input method on at the first event after a field takes the focus, and
    # winit then makes a new input context for it; with ibus that first key reached the field
    # raw ("b奥秘"). Leave the title and come back, so that event is a navigation key.
    sleep 0.5
    xdotool key Tab; sleep 0.5; xdotool key shift+Tab; sleep 0.5
    ;;
esac
sleep 1
xdotool type --delay 120 baomi
sleep 0.8
xdotool key space
sleep 1.5
case "$im" in
  fcitx5) xdotool key ctrl+space ;;
  ibus) ibus engine xkb:us::eng 2>/dev/null || true ;;
esac
sleep 1
# The rest of the title in plain ASCII, then Tab to 页数 (title, unit, number, level, period,
# category, dated and its 日历 button, received and its 日历 button, signer, pages) and Enter
# to register.
xdotool type --delay 60 " IME 2026"
# One Tab a frame: egui moves the focus once per frame, so Tabs that arrive in one frame (a busy
# machine paints slowly) would be lost; wait well over a frame between them.
for _ in $(seq 11); do xdotool key Tab; sleep 0.4; done
xdotool type --delay 60 "3"
sleep 0.5
import -window root "$work/typed.png" 2>/dev/null || true
xdotool key Return
sleep 2
mkdir -p target/smoke
import -window root "target/smoke/ime-$im.png" 2>/dev/null || true
cp "$work/typed.png" "target/smoke/ime-$im-typed.png" 2>/dev/null || true

# Close the app (the registration is committed), then read the ledger.
kill -TERM "$app" 2>/dev/null || true
wait "$app" 2>/dev/null || true
printf '%s\n' "$pass" | "$bin" --vault "$vault" list documents --json >"$work/docs.json"
if grep -q '"title": "保密' "$work/docs.json"; then
  echo "ime ($im): registered $(grep -o '"title": "[^"]*"' "$work/docs.json" | head -1)"
else
  echo "ime ($im): no document titled 保密…; the ledger holds:"; cat "$work/docs.json"
  echo "--- app log"; tail -20 "$work/app.log"; exit 1
fi
