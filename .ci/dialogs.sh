#!/usr/bin/env bash
# Real-window test of the dialogs (issue 10): the release binary under Xvfb at 1366×768, driven
# by xdotool with the mouse and keyboard as a custodian would. Registers three documents through
# 收文登记, each dialog choosing its 密级 from the drop-down (which used to open behind the dialog
# from the second dialog on). `list documents --json` then confirms all three.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/baomi
[ -x "$bin" ] || cargo build --release
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export HOME="$work/home" XDG_RUNTIME_DIR="$work" LANG=C.UTF-8 DISPLAY=:46
mkdir -p "$HOME"
vault="$work/vault"
pass="dialog-test passphrase 2026"
printf '%s\n' "$pass" | "$bin" --vault "$vault" init --unit "某公司党委办公室" \
  --user wang --name "王保密" --demo >/dev/null
printf '%s\n' "$pass" | "$bin" --vault "$vault" demo --documents 0 >/dev/null

Xvfb :46 -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
"$bin" --vault "$vault" >"$work/app.log" 2>&1 &
pids+=($!)
wid=$(xdotool search --sync --name "Baomi" | head -1)
xdotool windowsize "$wid" 1366 768; xdotool windowmove "$wid" 0 0; sleep 1
xdotool windowfocus --sync "$wid"; sleep 0.3
shot() { import -window root "$work/$1.png"; mkdir -p target/dialogs; cp "$work/$1.png" target/dialogs/; }
click() { xdotool mousemove "$1" "$2" click 1; sleep "${3:-0.6}"; }

# Sign in (the passphrase field is under the user picker).
click 597 228 0.3
xdotool type --delay 40 "$pass"; xdotool key Return; sleep 3
click 73 99 1            # 文件台账
# The dialog's top is 32 px below the window's (it grows downwards only). The 密级 list below
# its drop-down: 绝密 247, 机密 285, 秘密 323, 内部敏感 361.
for round in 1 2 3; do
  xdotool key ctrl+n; sleep 1.2
  xdotool type --delay 40 "Window test $round"; sleep 0.3
  click 580 209 0.8        # 密级
  shot "level-list-$round"
  click 480 $((247 + 38 * round)) 0.8
  click 580 437 0.3        # 页数
  xdotool type --delay 40 "$round"; sleep 0.5
  shot "filled-$round"
  click 397 653 1.5        # 登记
done
shot after
kill "${pids[1]}" 2>/dev/null || true; sleep 1

out=$(printf '%s\n' "$pass" | "$bin" --vault "$vault" list documents --json)
echo "$out" | python3 -c '
import json, sys
docs = {d["title"]: d["level"] for d in json.load(sys.stdin)}
want = {"Window test 1": "机密", "Window test 2": "秘密", "Window test 3": "内部敏感"}
got = {t: docs.get(t) for t in want}
print("dialogs:", got)
sys.exit(0 if got == want else 1)
'
