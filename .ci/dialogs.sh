#!/usr/bin/env bash
# Real-window test of the dialogs (issue 10): the release binary under Xvfb at 1366×768, driven
# by xdotool with the mouse and keyboard as a custodian would. Registers three documents through
# 收文登记, each dialog choosing its 密级 from the drop-down (which used to open behind the dialog
# from the second dialog on), then borrows the 机密 one (request, paper approval confirmed,
# hand-out). `list documents --json` and `list borrows --json` then confirm them.
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
# A 党办负责人 account for the 机密 approval below (recorded from a paper form: its owner has not
# signed in yet).
head=$(printf '%s\n' "$pass" | "$bin" --vault "$vault" list people --json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["id"].split("-")[1])')
printf '%s\n%s\n' "$pass" "office chief passphrase 2026" |
  "$bin" --vault "$vault" add-user --user head --person "$head" --role head >/dev/null

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
# One borrowing of the 机密 document: request (the first borrower the rule offers), approval
# from a paper form by the head, confirmed, then handed out.
click 73 175 1           # 借阅
click 250 60 1           # 借阅申请
click 590 94 0.3         # 查找文件
xdotool type --delay 40 "Window test 1"; sleep 1
click 600 133 1          # the document found
click 620 222 0.8        # 借阅人
click 560 260 0.6        # the first one offered
click 620 290 0.3        # 借阅事由
xdotool type --delay 40 "Window borrow"; sleep 0.4
xdotool key Return; sleep 1.5   # 提交申请 (Enter submits a complete request)
shot borrow-requested
click 1120 613 0.8       # 纸质审批
click 1200 598 0.8       # 审批人
click 1150 636 0.6       # the head
click 1200 636 0.3       # 审批单编号
xdotool type --delay 40 "PAPER-1"; sleep 0.4
click 1001 712 0.8       # 批准
shot confirm
click 502 204 1.2        # 确认批准
click 1001 591 1.2       # 借出
shot borrow-out
# SIGTERM (a shutdown, a logout) closes the window the normal way: the ledger is locked and the
# instance lock left empty, as after the close button (a crash leaves its pid in it).
kill -TERM "${pids[1]}" 2>/dev/null || true
for _ in $(seq 50); do kill -0 "${pids[1]}" 2>/dev/null || break; sleep 0.1; done
if [ -s "$vault/ledger.lock" ]; then
  echo "dialogs: SIGTERM did not close the app cleanly (ledger.lock holds $(cat "$vault/ledger.lock"))"
  exit 1
fi
echo "dialogs: SIGTERM closed the app cleanly"

out=$(printf '%s\n' "$pass" | "$bin" --vault "$vault" list documents --json)
echo "$out" | python3 -c '
import json, sys
docs = {d["title"]: d["level"] for d in json.load(sys.stdin)}
want = {"Window test 1": "机密", "Window test 2": "秘密", "Window test 3": "内部敏感"}
got = {t: docs.get(t) for t in want}
print("dialogs:", got)
sys.exit(0 if got == want else 1)
'
out=$(printf '%s\n' "$pass" | "$bin" --vault "$vault" list borrows --json)
echo "$out" | python3 -c '
import json, sys
loans = [(b["title"], b["level"], b["state"]) for b in json.load(sys.stdin)]
print("dialogs: borrows", loans)
sys.exit(0 if loans == [("Window test 1", "机密", "借出")] else 1)
'
