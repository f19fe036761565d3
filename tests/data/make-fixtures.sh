#!/usr/bin/env bash
# Makes the frozen vaults of tests/data/vault-vN: for each schema version N, the binary of the
# last commit that wrote that version creates a vault and fills it with its own `demo` data
# (where that version had `demo`). tests/fixtures.rs upgrades each to the current schema.
#
# Run once per new schema version, on purpose; the vaults are then committed and never remade
# (a remade fixture would no longer be what that version wrote).
#
#   bash tests/data/make-fixtures.sh 9     # the versions to make
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${FIXTURE_WORK:-/tmp/baomi-fixtures}"
mkdir -p "$work"

# Schema version → the last commit that wrote it (the parent of the commit that added the next
# migration); "HEAD" for the current one.
commit_of() {
  case "$1" in
    2) echo bfb6ff9 ;;  # before 0003_documents (no demo yet: init only)
    3) echo 4ce512c ;;  # before 0004_search_revisions_outgoing
    4) echo 27dd74d ;;  # before 0005_borrowing (0004 as edited in 8715346)
    5) echo 5828ce5 ;;  # before 0006_audit_seals
    6) echo 9e207b6 ;;  # before 0007_custody_renewals
    7) echo a1ca37e ;;  # before 0008_accounts
    8) echo ddceeec ;;  # before 0009_backups
    9) echo 98bcb74 ;;  # before 0010_destruction_stocktaking
    10) echo b0ad605 ;;  # before 0011_seal_keys_accounts
    11) echo HEAD ;;
    *) echo "no commit known for schema $1" >&2; exit 2 ;;
  esac
}

for v in "$@"; do
  c="$(commit_of "$v")"
  wt="$work/wt-$v"
  if [ "$c" = HEAD ]; then
    (cd "$root" && cargo build --bin baomi -q)
    cp "$root/target/debug/baomi" "$work/baomi-v$v"
  elif [ ! -x "$work/baomi-v$v" ]; then
    rm -rf "$wt"
    git -C "$root" worktree add -f --detach "$wt" "$c" >/dev/null
    (cd "$wt" && CARGO_PROFILE_DEV_DEBUG=0 CARGO_TARGET_DIR="$work/target" cargo build --bin baomi -q)
    cp "$work/target/debug/baomi" "$work/baomi-v$v"
    git -C "$root" worktree remove --force "$wt"
  fi
  b="$work/baomi-v$v"
  out="$work/vault-v$v"
  rm -rf "$out"
  pass="fixture passphrase v$v"
  demo=()
  if "$b" init --help | grep -q -- '--demo'; then demo=(--demo); fi
  printf '%s\n' "$pass" | "$b" --vault "$out" init --unit 某公司党委办公室 --user custodian \
    --name 王保密 --department 党办 "${demo[@]}" >/dev/null
  if "$b" --help | grep -q '^  demo'; then
    printf '%s\n' "$pass" | "$b" --vault "$out" demo --documents 60 --batch 20 >/dev/null
  fi
  if "$b" --help | grep -q '^  audit'; then
    # A security auditor with their own passphrase and a seal: a seal key slot (kind 3) and a
    # version 2 seal for later upgrades to carry.
    printf '%s\n' "$pass" > "$work/pass-v$v"
    printf 'fixture reviewer once v%s\n' "$v" > "$work/once-v$v"
    printf '%s\n' "fixture reviewer once v$v" | "$b" --vault "$out" --passphrase-file "$work/pass-v$v" \
      add-user --user audit --name 审计员 --role auditor >/dev/null
    printf '%s\n' "fixture reviewer v$v" | "$b" --vault "$out" --as audit \
      --passphrase-file "$work/once-v$v" passwd >/dev/null
    printf '%s\n' "fixture reviewer v$v" | "$b" --vault "$out" --as audit audit seal >/dev/null
  fi
  if "$b" --help | grep -q '^  backup'; then
    rm -rf "$work/media-v$v" && mkdir -p "$work/media-v$v"
    printf '%s\n' "$pass" | "$b" --vault "$out" backup --to "$work/media-v$v" --allow-fixed-disk >/dev/null
  fi
  printf '%s\n' "$pass" | "$b" --vault "$out" check
  dest="$root/tests/data/vault-v$v"
  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$out/ledger.db" "$out/ledger.keys" "$dest/"
  chmod 0644 "$dest"/*
  echo "vault-v$v: made by $c ($(git -C "$root" log -1 --format=%cd --date=short "$c"))"
done
