#!/usr/bin/env bash
# Exports read back by independent readers (issue 10): the release binary exports the register of
# a demo ledger to .xlsx, CSV and PDF; Python's openpyxl opens the workbook (sheet, header, one
# row per document, a date cell that is a date, numbers as numbers), Python's csv module the CSV,
# pdftotext the PDF (the Chinese comes back).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/baomi
[ -x "$bin" ] || cargo build --release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" LANG=C.UTF-8
mkdir -p "$HOME"
vault="$work/vault"
pass="xlsx-test passphrase 2026"
printf '%s\n' "$pass" | "$bin" --vault "$vault" init --unit "某公司党委办公室" \
  --user wang --name "王保密" --demo >/dev/null
printf '%s\n' "$pass" | "$bin" --vault "$vault" demo --documents 120 >/dev/null
for f in xlsx csv pdf; do
  printf '%s\n' "$pass" | "$bin" --vault "$vault" export documents --format "$f" --out "$work/reg.$f"
done
printf '%s\n' "$pass" | "$bin" --vault "$vault" list documents --json >"$work/docs.json"
stat -c '%a %n' "$work/reg.xlsx" | grep -q '^600 ' || { echo "xlsx: not 0600"; exit 1; }
/usr/bin/python3 - "$work" <<'PY'
import csv, datetime, json, sys
import openpyxl
work = sys.argv[1]
docs = json.load(open(f"{work}/docs.json"))
wb = openpyxl.load_workbook(f"{work}/reg.xlsx")
assert wb.sheetnames == ["文件台账"], wb.sheetnames
ws = wb["文件台账"]
assert "某公司党委办公室" in ws["A1"].value and "文件台账" in ws["A1"].value, ws["A1"].value
header = [c.value for c in ws[3]]
assert header[:4] == ["收文编号", "文号", "标题", "密级标志"], header
rows = list(ws.iter_rows(min_row=4, values_only=True))
assert len(rows) == len(docs), (len(rows), len(docs))
received = header.index("收文日期")
dates = [r[received] for r in rows if r[received] is not None]
assert dates and all(isinstance(d, datetime.datetime) for d in dates), dates[:3]
assert all(isinstance(r[header.index("份数")], (int, float)) for r in rows)
assert ws.freeze_panes == "A4", ws.freeze_panes
titles = {d["title"] for d in docs}
assert all(r[2].replace("（已作废）", "") in titles for r in rows)
with open(f"{work}/reg.csv", encoding="utf-8-sig", newline="") as f:
    lines = list(csv.reader(f))
assert lines[1][:3] == ["收文编号", "文号", "标题"], lines[1]
assert len(lines) == 2 + len(docs), len(lines)
print(f"xlsx: openpyxl read {len(rows)} rows, {len(dates)} date cells; csv {len(lines) - 2} rows")
PY
text=$(pdftotext "$work/reg.pdf" -)
case "$text" in *文件台账*) ;; *) echo "pdf: no Chinese text"; exit 1 ;; esac
pages=$(pdfinfo "$work/reg.pdf" | awk '/^Pages:/ {print $2}')
size=$(pdfinfo "$work/reg.pdf" | awk -F': *' '/^Page size:/ {print $2}')
echo "pdf: $pages pages, $size"
case "$size" in 841.89\ x\ 595.28*) ;; *) echo "pdf: not A4 landscape"; exit 1 ;; esac
mkdir -p target/exports && cp "$work"/reg.* target/exports/
