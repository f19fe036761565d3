#!/usr/bin/env python3
"""Cases for read_backup.py against a real backup (plain Python, no pytest).

    python3 test_read_backup.py FILE PASSPHRASE_FILE RECOVERY_FILE

Runs every case and exits non-zero if any behaves wrongly: a good file or secret
must give exit 0; every damaged copy, wrong secret or inconsistent content must give
exit 1 with exactly one line on stderr naming the failure. Damaged copies are made in
a temporary folder; they hold only what the real file holds (ciphertext) or content
re-encrypted from it, never plaintext.

Most cases call read_backup.main() in this process (one interpreter start, so the
whole run takes seconds); a few go through a real `python3 read_backup.py` process.
Only three cases pay for Argon2 (the passphrase ones, with --login after the first).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import read_backup as rb  # noqa: E402

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305  # noqa: E402

RESULTS: list[tuple[str, bool, str]] = []


def record(name: str, ok: bool, detail: str = "") -> None:
    RESULTS.append((name, ok, detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{(' — ' + detail) if detail else ''}", flush=True)


# --------------------------------------------------------------------------- running

def run_inproc(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = rb.main(args)
        except SystemExit as e:          # argparse
            rc = e.code if isinstance(e.code, int) else 2
    return rc, out.getvalue(), err.getvalue()


def run_proc(args: list[str]) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, os.path.join(HERE, "read_backup.py"), *args],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def expect_ok(name, args, proc=False, check=None):
    rc, out, err = (run_proc if proc else run_inproc)(args)
    ok = rc == 0 and err == "" and ("verified" in out)
    detail = "" if ok else f"rc={rc} stderr={err.strip()!r}"
    if ok and check is not None:
        problem = check(out)
        if problem:
            ok, detail = False, problem
    record(name, ok, detail)
    return out if ok else None


def expect_fail(name, args, *needles, proc=False):
    """exit 1, nothing on stdout, exactly one line on stderr containing one of needles."""
    rc, out, err = (run_proc if proc else run_inproc)(args)
    lines = err.splitlines()
    ok = (rc == 1 and out == "" and len(lines) == 1 and err.endswith("\n")
          and "internal error" not in err and "Traceback" not in err
          and any(n.lower() in err.lower() for n in needles))
    record(name, ok, err.strip() if ok else f"rc={rc} stdout={out[:80]!r} stderr={err.strip()!r}"
           f" (wanted one of {needles})")


# --------------------------------------------------------------------------- crafting

def flipped(data: bytes, offset: int, mask: int = 0x01) -> bytes:
    b = bytearray(data)
    b[offset] ^= mask
    return bytes(b)


def seal(header_raw: bytes, payload: bytes, master: bytes) -> bytes:
    """Encrypt a payload under a header per backup.md (used to make files whose crypto
    is right but whose content is not). The header's P field is set to len(payload)."""
    raw = bytearray(header_raw)
    raw[46:54] = struct.pack(">Q", len(payload))
    raw = bytes(raw)
    h = rb.parse_header(raw + b"\0" * (len(payload) + 16 * -(-len(payload) // struct.unpack(">I", raw[42:46])[0])))
    aead = ChaCha20Poly1305(rb.hkdf(master, rb.INFO_PAYLOAD, salt=h.salt))
    aad = hashlib.sha256(raw).digest()
    out = [raw]
    for i in range(h.n):
        chunk = payload[i * h.C:(i + 1) * h.C]
        nonce = h.nonce_prefix + struct.pack(">I", i) + (b"\x01" if i == h.n - 1 else b"\x00")
        out.append(aead.encrypt(nonce, chunk, aad))
    return b"".join(out)


def make_payload(manifest: dict, image: bytes, fix_image_fields: bool = True) -> bytes:
    man = dict(manifest)
    if fix_image_fields:
        man["image"] = {"bytes": len(image), "sha256": hashlib.sha256(image).hexdigest()}
    m = json.dumps(man, ensure_ascii=False, separators=(",", ":")).encode()
    return struct.pack(">I", len(m)) + m + image


def edit_image(image: bytes, *sql: str) -> bytes:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.deserialize(image)
    for s in sql:
        conn.execute(s)
    data = conn.serialize()
    conn.close()
    return data


def encode_recovery(key: bytes) -> str:
    """keyslots.md written form, written independently of the parser under test."""
    v = int.from_bytes(key, "big") << 4
    s = "".join(rb.CROCKFORD[(v >> (5 * (51 - i))) & 31] for i in range(52))
    return "-".join(s[i:i + 4] for i in range(0, 52, 4))


# --------------------------------------------------------------------------- cases

def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path, pass_file, rec_file = map(os.path.abspath, sys.argv[1:])
    start = time.monotonic()
    data = open(path, "rb").read()
    h = rb.parse_header(data)
    kf = rb.parse_key_file(h.key_file)
    with open(rec_file, encoding="utf-8") as f:
        rec_text = f.read()
    master, _ = rb.unlock(kf, recovery=rb.parse_recovery_key(rec_text))
    payload = rb.decrypt_payload(data, h, master)
    manifest, image = rb.parse_manifest(payload, h)
    R = ["--recovery-key-file", rec_file]
    kstart = 99 + len(h.app_version.encode())          # the key file copy's offset

    with tempfile.TemporaryDirectory(prefix="baomi-interop-") as tmp:
        n_files = [0]

        def put(content: bytes) -> str:
            n_files[0] += 1
            p = os.path.join(tmp, f"case{n_files[0]}.baomi-backup")
            with open(p, "wb") as f:
                f.write(content)
            return p

        def put_text(name: str, text: str) -> str:
            p = os.path.join(tmp, name)
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
            return p

        # ---- documented test vectors and helpers (no file needed)
        k7 = b"\x07" * 32
        record("vector: audit chain link",
               rb.link_hash(k7, bytes(32), 1, b"2026-11-26T08:00:00.000000Z", None, b"vault.create",
                            b"users", b"1", b"{}").hex()
               == "624c6cf9133fbb7094a7f2d22e248f5a1f36af4902eb4b6c066112d32a5e6563")
        record("vector: audit seal mac",
               rb.seal_mac(k7, "00ff", 41, b"\x01" * 32, "2026-11-27T02:00:00.000000Z", "audit").hex()
               == "94bfdf62ded63cf90027c28325ec891411ca850aa7d4fb1a659fd5e21c8f5372")
        record("vector: audit seal key id", rb.seal_key_id(k7).hex() == "4181f42f19009e21")
        record("baomi_chars examples",
               rb.baomi_chars("保密 A1") == "保 密 A 1" and rb.baomi_chars("") == ""
               and rb.baomi_chars(None) is None and rb.baomi_chars("\u3000a\u2028b\u00a0") == "a b"
               and rb.baomi_chars("a\x1cb") == "a \x1c b")       # U+001C is not White_Space
        rnd = os.urandom(32)
        enc = encode_recovery(rnd)
        record("recovery key written form round trip",
               rb.parse_recovery_key(enc) == rnd
               and rb.parse_recovery_key(enc.lower().replace("-", " ")) == rnd
               and rb.parse_recovery_key(enc.replace("0", "o").replace("1", "L")) == rnd
               and len(enc) == 64 and enc.count("-") == 12)
        record("the sample's recovery key re-encodes to its file",
               encode_recovery(rb.parse_recovery_key(rec_text)) == rec_text.strip())

        # STREAM: a file cut at a chunk boundary (header made to agree) fails its new last chunk.
        if h.n >= 2:
            class Cut:
                pass
            cut = Cut()
            cut.__dict__.update(h.__dict__)
            cut.n, cut.P = h.n - 1, (h.n - 1) * h.C
            try:
                rb.decrypt_payload(data[:h.H + cut.n * (h.C + 16)], cut, master)
                record("STREAM: cut at a chunk boundary fails", False, "decrypted")
            except rb.Failure as e:
                record("STREAM: cut at a chunk boundary fails", f"chunk {cut.n - 1}" in str(e), str(e))

        # ---- good file, both secrets
        out = expect_ok("recovery key, --json, --restore-check (process)", [path, *R, "--json", "--restore-check"],
                        proc=True, check=lambda o: None if json.loads(o)["verified"] is True
                        and json.loads(o)["restore_check"]["insert"]["result"] == "ok" else "bad JSON")
        out = expect_ok("passphrase, every slot tried (process)", [path, "--passphrase-file", pass_file, "--json"],
                        proc=True)
        login = json.loads(out)["opened_with"].removeprefix("passphrase of ") if out else None
        if login:
            expect_ok(f"passphrase, --login {login}, --restore-check (process)",
                      [path, "--passphrase-file", pass_file, "--login", login, "--restore-check"], proc=True)
            wrong = put_text("wrong-pass.txt", "not the passphrase\n")
            expect_fail("wrong passphrase (process)", [path, "--passphrase-file", wrong, "--login", login],
                        "wrong passphrase", proc=True)
        expect_fail("passphrase for a login without a slot",
                    [path, "--passphrase-file", pass_file, "--login", "nobody-here"], "no slot for login")
        expect_ok("recovery key in lower case with spaces",
                  [path, "--recovery-key-file",
                   put_text("rk-lower.txt", rec_text.lower().replace("-", " "))])
        key = rb.parse_recovery_key(rec_text)
        other = encode_recovery(bytes([key[0] ^ 0x80]) + key[1:])
        expect_fail("wrong recovery key", [path, "--recovery-key-file", put_text("rk-wrong.txt", other)],
                    "wrong passphrase or recovery key")
        expect_fail("recovery key one character short",
                    [path, "--recovery-key-file", put_text("rk-short.txt", rec_text.strip()[:-1])],
                    "malformed recovery key")
        expect_fail("recovery key with an impossible character",
                    [path, "--recovery-key-file", put_text("rk-u.txt", "U" + rec_text.strip()[1:])],
                    "malformed recovery key")

        # ---- truncation and trailing bytes
        for n in (0, 7, 13):
            expect_fail(f"truncated to {n} bytes", [put(data[:n]), *R], "not a Baomi backup")
        for n in sorted({14, 60, h.H - 1, h.H, h.H + 1, h.H + h.C + 16, len(data) - 16, len(data) - 1}):
            expect_fail(f"truncated to {n} bytes", [put(data[:n]), *R], "truncated")
        expect_fail("one trailing byte", [put(data + b"\0"), *R], "trailing")

        # ---- header bytes
        expect_fail("header: magic", [put(flipped(data, 0)), *R], "not a Baomi backup")
        expect_fail("header: version", [put(flipped(data, 9)), *R], "unsupported version")
        expect_fail("header: header length", [put(flipped(data, 13)), *R], "damaged (header)", "truncated")
        expect_fail("header: vault id", [put(flipped(data, 20)), *R], "vault id differs")
        for name, off in (("created at", 37), ("schema version", 41), ("salt", 60),
                          ("nonce prefix", 90), ("app version", 96)):
            expect_fail(f"header: {name}", [put(flipped(data, off)), *R], "chunk 0 ")
        expect_fail("header: chunk size out of range", [put(flipped(data, 42, 0xFF)), *R], "chunk size")
        expect_fail("header: chunk size changed in range", [put(flipped(data, 44, 0xFF)), *R],
                    "truncated", "trailing")
        expect_fail("header: payload length", [put(flipped(data, 53)), *R], "truncated", "trailing")
        expect_fail("header: version string length", [put(flipped(data, 94)), *R], "damaged (header)")

        # ---- the key file copy
        offs, pos = {}, kstart + 28
        for s in kf.slots:
            offs[s.owner] = pos
            pos += 119 + len(s.login.encode())
        rec_slot = offs["(recovery)"]
        expect_fail("key file copy: magic", [put(flipped(data, kstart + 1)), *R], "not a vault key file")
        expect_fail("key file copy: version", [put(flipped(data, kstart + 9)), *R], "unsupported key file version")
        expect_fail("key file copy: vault id", [put(flipped(data, kstart + 12)), *R], "vault id differs")
        expect_fail("key file copy: slot count", [put(flipped(data, kstart + 27)), *R], "damaged (key file copy)")
        expect_fail("key file copy: recovery slot's salt", [put(flipped(data, rec_slot + 20)), *R],
                    "wrong passphrase or recovery key")
        expect_fail("key file copy: recovery slot's wrapped key", [put(flipped(data, rec_slot + 100)), *R],
                    "wrong passphrase or recovery key")
        first = kf.slots[0]
        if first.kind == rb.KIND_PASSPHRASE:
            fo = offs[first.owner]
            expect_fail(f"key file copy: {first.login}'s salt (unused slot: file MAC)",
                        [put(flipped(data, fo + 3 + len(first.login.encode()) + 12 + 5)), *R], "file MAC")
            expect_fail(f"key file copy: {first.login}'s Argon2 m = 0 (refused before Argon2)",
                        [put(data[:fo + 3 + len(first.login.encode())] + b"\0\0\0\0"
                             + data[fo + 7 + len(first.login.encode()):]),
                         "--passphrase-file", pass_file, "--login", first.login], "Argon2 parameters")
        expect_fail("key file copy: last byte of its MAC", [put(flipped(data, h.H - 1)), *R], "file MAC")

        # ---- the chunks
        mid = h.H + (len(data) - h.H) // 2
        expect_fail("payload: a byte in the middle", [put(flipped(data, mid)), *R],
                    f"chunk {(mid - h.H) // (h.C + 16)} ")
        expect_fail("payload: the very last byte", [put(flipped(data, len(data) - 1)), *R], f"chunk {h.n - 1} ")
        expect_fail("payload: first byte of chunk 0", [put(flipped(data, h.H)), *R], "chunk 0 ")
        if h.n >= 3:
            cs = h.C + 16
            c1, c2 = data[h.H + cs:h.H + 2 * cs], data[h.H + 2 * cs:h.H + 3 * cs]
            expect_fail("payload: chunks 1 and 2 swapped",
                        [put(data[:h.H + cs] + c2 + c1 + data[h.H + 3 * cs:]), *R], "chunk 1 ")
            c0 = data[h.H:h.H + cs]
            expect_fail("payload: chunk 0 repeated as chunk 1",
                        [put(data[:h.H + cs] + c0 + data[h.H + 2 * cs:]), *R], "chunk 1 ")

        # ---- re-encrypted content: right crypto, wrong content (rules 6 and 7)
        H = h.raw
        expect_ok("re-sealed unchanged payload (the crafting is right)", [put(seal(H, payload, master)), *R])

        def bad_manifest(name, change, *needles):
            man = json.loads(json.dumps(manifest))
            change(man)
            expect_fail(f"manifest: {name}", [put(seal(H, make_payload(man, image, False), master)), *R],
                        *needles)

        bad_manifest("vault_id", lambda m: m.update(vault_id="0" * 32), "manifest mismatch: vault_id")
        bad_manifest("schema_version", lambda m: m.update(schema_version=m["schema_version"] + 1),
                     "manifest mismatch: schema_version")
        bad_manifest("created_at + 1 s", lambda m: m.update(created_at=rb.rfc3339(h.created_at + 1)),
                     "manifest mismatch: created_at")
        bad_manifest("image.bytes", lambda m: m["image"].update(bytes=m["image"]["bytes"] - 1),
                     "manifest mismatch: image.bytes")
        bad_manifest("image.sha256", lambda m: m["image"].update(sha256="0" * 64), "manifest mismatch: image SHA")
        bad_manifest("a table's count", lambda m: m["tables"].update(documents=m["tables"]["documents"] + 1),
                     "manifest mismatch: table documents")
        bad_manifest("a table too many", lambda m: m["tables"].update(ghosts=0), "table set differs")
        bad_manifest("a table too few", lambda m: m["tables"].pop("documents_chars_idx"), "table set differs")
        bad_manifest("audit_head hash", lambda m: m["audit_head"].update(hash="0" * 64),
                     "manifest mismatch: audit head")
        bad_manifest("audit_head seq", lambda m: m["audit_head"].update(seq=m["audit_head"]["seq"] - 1),
                     "manifest mismatch: audit head")
        expect_fail("manifest: not JSON",
                    [put(seal(H, struct.pack(">I", 3) + b"{x}" + image, master)), *R], "not JSON")
        expect_fail("manifest: length past the payload",
                    [put(seal(H, struct.pack(">I", len(payload)) + payload[4:], master)), *R],
                    "manifest length")

        def bad_image(name, sqls, *needles, man_change=None):
            img = edit_image(image, *sqls)
            man = json.loads(json.dumps(manifest))
            if man_change:
                man_change(man)
            expect_fail(f"image: {name}", [put(seal(H, make_payload(man, img), master)), *R], *needles)

        seq = min(5, manifest["audit_head"]["seq"])
        bad_image(f"audit row {seq} detail_json edited",
                  ["DROP TRIGGER audit_events_no_update",
                   f"UPDATE audit_events SET detail_json = '{{\"x\":1}}' WHERE seq = {seq}"],
                  f"chain broken at seq {seq}")
        bad_image(f"audit row {seq} prev_hash edited",
                  ["DROP TRIGGER audit_events_no_update",
                   f"UPDATE audit_events SET prev_hash = zeroblob(32) WHERE seq = {seq}"],
                  f"chain broken at seq {seq}" if seq > 1 else "manifest mismatch")
        bad_image(f"audit row {seq} removed (a gap)",
                  ["DROP TRIGGER audit_events_no_delete", f"DELETE FROM audit_events WHERE seq = {seq}"],
                  f"chain broken at seq {seq}",
                  man_change=lambda m: m["tables"].update(audit_events=m["tables"]["audit_events"] - 1))
        last = manifest["audit_head"]["seq"]
        bad_image("last audit row removed (head no longer in the image)",
                  ["DROP TRIGGER audit_events_no_delete", f"DELETE FROM audit_events WHERE seq = {last}"],
                  "manifest mismatch: audit head",
                  man_change=lambda m: m["tables"].update(audit_events=m["tables"]["audit_events"] - 1))
        bad_image("user_version", [f"PRAGMA user_version = {manifest['schema_version'] + 1}"],
                  "user_version")
        bad_image("a table the manifest does not list", ["CREATE TABLE extra_table (x)"], "table set differs")
        bad_image("a row removed from settings", ["DELETE FROM settings WHERE rowid ="
                                                  " (SELECT max(rowid) FROM settings)"],
                  "manifest mismatch: table settings")
        # A page damaged: the type byte of the audit trail's root page, a page always in use
        # (a byte picked by position alone can land in a page's unused space, which no check
        # reads — it did once the schema grew). Which check sees it first decides the words:
        # the b-tree structure (integrity_check) or the rows of the audit chain.
        probe = sqlite3.connect(":memory:", isolation_level=None)
        probe.deserialize(image)
        root = probe.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit_events'").fetchone()[0]
        page_size = probe.execute("PRAGMA page_size").fetchone()[0]
        probe.close()
        img = bytearray(image)
        img[(root - 1) * page_size] ^= 0xFF
        expect_fail("image: a damaged page",
                    [put(seal(H, make_payload(manifest, bytes(img)), master)), *R],
                    "image: ", "chain broken")

    bad = [r for r in RESULTS if not r[1]]
    print(f"{len(RESULTS) - len(bad)}/{len(RESULTS)} cases behaved as they should"
          f" ({time.monotonic() - start:.1f} s)")
    for name, _, detail in bad:
        print(f"FAILED: {name}: {detail}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
