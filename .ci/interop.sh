#!/usr/bin/env bash
# A backup made by the release binary, read and checked by the independent Python reader of
# tests/interop (written from docs/format/*.md alone): both secrets, the image restored in
# memory with baomi_chars registered, and 76 cases of damage that must each be refused.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/baomi ] || cargo build --release --locked
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! python3 -m venv "$work/venv" 2>/dev/null; then
  apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  python3 -m venv "$work/venv"
fi
py="$work/venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check cryptography argon2-cffi pycryptodome
B=target/release/baomi
printf '%s\n' 'interop 口令 2026' > "$work/pass.txt"
export HOME="$work"
"$B" --vault "$work/v" --passphrase-file "$work/pass.txt" \
  init --unit 某县委办公室 --user wang --name 王保密 --demo | tail -1 > "$work/recovery.txt"
"$B" --vault "$work/v" --passphrase-file "$work/pass.txt" demo --documents 200 >/dev/null
# A security auditor with their own passphrase and two seals: the key file copy then holds a
# seal key slot (kind 3), and the reader checks the seals from the spec alone.
printf '%s\n' 'onetime 审计 2026' > "$work/once.txt"
printf '%s\n' '审计员 本人口令 2026' > "$work/audit.txt"
printf '%s\n' 'onetime 审计 2026' | "$B" --vault "$work/v" --passphrase-file "$work/pass.txt" \
  add-user --user audit --name 审计员 --role auditor >/dev/null
"$B" --vault "$work/v" --as audit --passphrase-file "$work/once.txt" passwd < "$work/audit.txt" >/dev/null
for _ in 1 2; do
  "$B" --vault "$work/v" --as audit --passphrase-file "$work/audit.txt" audit seal >/dev/null
done
mkdir "$work/media"
"$B" --vault "$work/v" --passphrase-file "$work/pass.txt" \
  backup --to "$work/media" --allow-fixed-disk | tail -1
file=$(ls "$work"/media/*.baomi-backup)
"$py" tests/interop/read_backup.py "$file" --passphrase-file "$work/pass.txt" --restore-check
"$py" tests/interop/read_backup.py "$file" --recovery-key-file "$work/recovery.txt" --json \
  | "$py" -c 'import json,sys; m=json.load(sys.stdin); print("interop: recovery key opens it;", m.get("tables",{}).get("documents"), "documents")'
"$py" tests/interop/read_backup.py "$file" --passphrase-file "$work/audit.txt" --login audit --json \
  | "$py" -c 'import json,sys; o=json.load(sys.stdin)["own_seals"]; assert len(o["intact"]) == 2 and not o["failed"], o; print("interop: the auditor'"'"'s seals verify from the spec:", o)'
"$py" tests/interop/test_read_backup.py "$file" "$work/pass.txt" "$work/recovery.txt"
echo "interop: the independent reader verified Baomi's backup"
