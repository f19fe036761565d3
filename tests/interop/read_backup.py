#!/usr/bin/env python3
"""Independent reader for Baomi backup files (*.baomi-backup), format version 1.

Written only from docs/format/backup.md, docs/format/keyslots.md and
docs/format/audit-chain.md, to prove that those documents are enough to read and
check a backup without Baomi. Nothing here comes from Baomi's Rust code.

    python3 read_backup.py FILE (--passphrase-file P | --recovery-key-file R)
                           [--login LOGIN] [--json] [--restore-check]

Exit 0 when every reading rule of backup.md holds; otherwise exit 1 with one line
on stderr naming what failed. No plaintext is written to disk: the manifest and
the SQLite image live only in memory (sqlite3 Connection.deserialize).

Libraries: the standard library, `cryptography` (ChaCha20-Poly1305, HKDF, HMAC),
`argon2-cffi` (Argon2id) and `pycryptodome` (XChaCha20-Poly1305 only).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import hmac
import json
import re
import sqlite3
import struct
import sys
import unicodedata

from argon2.low_level import Type, hash_secret_raw
from Crypto.Cipher import ChaCha20_Poly1305 as _XChaCha
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Failure(Exception):
    """A reading rule failed; str(self) is the one line printed on stderr."""


# --------------------------------------------------------------------------- constants

BACKUP_MAGIC = b"BAOMIBAK"
BACKUP_VERSION = 1
H_MIN, H_MAX = 99, 2_097_152
C_MIN, C_MAX = 4_096, 16_777_216
P_MIN, P_MAX = 1, 2**34
MANIFEST_MAX = 16 * 1024 * 1024
TAG = 16

KEYS_MAGIC = b"BAOMIKEY"
KEYS_VERSION = 1
KEYS_HEADER_LEN = 26
KEYS_MAC_LEN = 32
KIND_PASSPHRASE, KIND_RECOVERY, KIND_SEAL_KEY = 0x01, 0x02, 0x03
KDF_ARGON2ID, KDF_HKDF = 0x01, 0x02
LOGIN_MAX = 64
SLOTS_MAX = 256
M_MIN, M_MAX = 8, 1_048_576
T_MIN, T_MAX = 1, 64
P_LANES_MIN, P_LANES_MAX = 1, 8
WORK_MAX = 4_194_304  # m * t

INFO_PAYLOAD = b"baomi v1 backup payload key"
INFO_RECOVERY = b"baomi v1 recovery slot wrapping key"
INFO_FILE_MAC = b"baomi v1 key file mac key"
INFO_CHAIN = b"baomi v1 audit chain hmac key"
SEAL_DOMAIN = b"baomi v1 audit seal"
SEAL_V2_DOMAIN = b"baomi v2 audit seal"
SEAL_KEY_ID = b"baomi v1 audit seal key id"

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Unicode White_Space (Rust char::is_whitespace), as audit-chain.md lists it.
WS = frozenset(map(chr, [*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                         0x2028, 0x2029, 0x202F, 0x205F, 0x3000]))


def baomi_chars(t):
    """audit-chain.md, "The SQL function baomi_chars"."""
    if t is None:
        return None
    return " ".join(c for c in t if c not in WS)


# --------------------------------------------------------------------------- primitives

def hkdf(ikm: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def hmac256(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


def field(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def xchacha_open(key: bytes, nonce24: bytes, ct_and_tag: bytes, aad: bytes) -> bytes | None:
    c = _XChaCha.new(key=key, nonce=nonce24)
    c.update(aad)
    try:
        return c.decrypt_and_verify(ct_and_tag[:-TAG], ct_and_tag[-TAG:])
    except ValueError:
        return None


class Reader:
    """Bounds-checked big-endian reader over a bytes object."""

    def __init__(self, data: bytes, what: str):
        self.data, self.pos, self.what = data, 0, what

    def take(self, n: int, name: str) -> bytes:
        if self.pos + n > len(self.data):
            raise Failure(f"damaged ({self.what}): truncated at {name}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self, name):
        return self.take(1, name)[0]

    def u16(self, name):
        return struct.unpack(">H", self.take(2, name))[0]

    def u32(self, name):
        return struct.unpack(">I", self.take(4, name))[0]

    def u64(self, name):
        return struct.unpack(">Q", self.take(8, name))[0]

    def i64(self, name):
        return struct.unpack(">q", self.take(8, name))[0]

    def utf8(self, n, name):
        try:
            return self.take(n, name).decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise Failure(f"damaged ({self.what}): {name} is not valid UTF-8") from None


# --------------------------------------------------------------------------- key file

class Slot:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    @property
    def owner(self):
        return "(recovery)" if self.kind == KIND_RECOVERY else self.login


class KeyFile:
    def __init__(self, raw, vault_id, slots):
        self.raw, self.vault_id, self.slots = raw, vault_id, slots


def parse_key_file(raw: bytes) -> KeyFile:
    """keyslots.md, "Layout", "Slot", "Reading rules" 1-4."""
    if len(raw) < 8 or raw[:8] != KEYS_MAGIC:
        raise Failure("damaged (key file copy): not a vault key file")
    r = Reader(raw, "key file copy")
    r.take(8, "magic")
    version = r.u16("version")
    if version != KEYS_VERSION:
        raise Failure(f"damaged (key file copy): unsupported key file version {version}")
    vault_id = r.take(16, "vault id")
    n = r.u16("slot count")
    if not 1 <= n <= SLOTS_MAX:
        raise Failure(f"damaged (key file copy): slot count {n}")
    slots, owners = [], set()
    for i in range(n):
        start = r.pos
        kind = r.u8(f"slot {i} kind")
        login_len = r.u8(f"slot {i} login length")
        login = r.utf8(login_len, f"slot {i} login")
        kdf = r.u8(f"slot {i} KDF id")
        m, t, p = r.u32(f"slot {i} m"), r.u32(f"slot {i} t"), r.u32(f"slot {i} p")
        salt = r.take(32, f"slot {i} salt")
        nonce = r.take(24, f"slot {i} nonce")
        ad_end = r.pos
        wrapped = r.take(48, f"slot {i} wrapped key")
        if kind in (KIND_PASSPHRASE, KIND_SEAL_KEY):
            # keyslots.md: a seal key slot is laid out and bounded like a passphrase slot; it
            # wraps an auditor's seal key, not the master key, so unlocking skips it.
            if kdf != KDF_ARGON2ID:
                raise Failure(f"damaged (key file copy): slot {i} kind/KDF {kind}/{kdf}")
            if not 1 <= login_len <= LOGIN_MAX:
                raise Failure(f"damaged (key file copy): slot {i} login length {login_len}")
            if not (M_MIN <= m <= M_MAX and T_MIN <= t <= T_MAX
                    and P_LANES_MIN <= p <= P_LANES_MAX and m >= 8 * p
                    and m * t <= WORK_MAX):
                raise Failure(f"damaged (key file copy): slot {i} Argon2 parameters m={m} t={t} p={p}")
        elif kind == KIND_RECOVERY:
            if kdf != KDF_HKDF:
                raise Failure(f"damaged (key file copy): slot {i} kind/KDF {kind}/{kdf}")
            if login_len != 0:
                raise Failure(f"damaged (key file copy): recovery slot {i} has a login")
            if (m, t, p) != (0, 0, 0):
                raise Failure(f"damaged (key file copy): recovery slot {i} has non-zero parameters")
        else:
            raise Failure(f"damaged (key file copy): slot {i} kind {kind}")
        s = Slot(index=i, kind=kind, login=login, kdf=kdf, m=m, t=t, p=p, salt=salt,
                 nonce=nonce, wrapped=wrapped, ad_bytes=raw[start:ad_end])
        if (kind, login) in owners:
            raise Failure(f"damaged (key file copy): duplicate slot for {s.owner}")
        owners.add((kind, login))
        slots.append(s)
    rest = len(raw) - r.pos
    if rest < KEYS_MAC_LEN:
        raise Failure("damaged (key file copy): truncated at file MAC")
    if rest > KEYS_MAC_LEN:
        raise Failure(f"damaged (key file copy): {rest - KEYS_MAC_LEN} trailing bytes")
    return KeyFile(raw, vault_id, slots)


def open_slot(kf: KeyFile, slot: Slot, wrapping_key: bytes) -> bytes | None:
    """keyslots.md, "Wrapped key": AD = key file header (bytes 0..26) ‖ slot kind..nonce."""
    aad = kf.raw[:KEYS_HEADER_LEN] + slot.ad_bytes
    mk = xchacha_open(wrapping_key, slot.nonce, slot.wrapped, aad)
    if mk is not None and len(mk) != 32:
        return None
    return mk


def argon2id(secret: bytes, salt: bytes, m: int, t: int, p: int) -> bytes:
    return hash_secret_raw(secret=secret, salt=salt, time_cost=t, memory_cost=m,
                           parallelism=p, hash_len=32, type=Type.ID, version=0x13)


def parse_recovery_key(text: str) -> bytes:
    """keyslots.md, "Recovery key, written form"."""
    s = "".join(c for c in text if c not in " -\t\r\n").upper()
    s = s.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(s) != 52:
        raise Failure(f"malformed recovery key: {len(s)} characters, 52 expected")
    v = 0
    for c in s:
        d = CROCKFORD.find(c)
        if d < 0:
            raise Failure(f"malformed recovery key: character {c!r}")
        v = (v << 5) | d
    if v & 0xF:
        raise Failure("malformed recovery key: the last character's 4 padding bits are not zero")
    return (v >> 4).to_bytes(32, "big")


def unlock(kf: KeyFile, *, passphrase: bytes | None = None, recovery: bytes | None = None,
           login: str | None = None) -> tuple[bytes, Slot]:
    """Return (master key, slot that opened); checks the file MAC (keyslots.md rules 5-6)."""
    if recovery is not None:
        candidates = [s for s in kf.slots if s.kind == KIND_RECOVERY]
        if not candidates:
            raise Failure("wrong passphrase or recovery key (the key file has no recovery slot)")
    else:
        candidates = [s for s in kf.slots if s.kind == KIND_PASSPHRASE]
        if login is not None:
            candidates = [s for s in candidates if s.login == login]
            if not candidates:
                raise Failure(f"wrong passphrase or recovery key (no slot for login {login!r})")
    for s in candidates:
        if recovery is not None:
            wk = hkdf(recovery, INFO_RECOVERY, salt=s.salt)
            mk = open_slot(kf, s, wk)
        else:
            # keyslots.md, "Passphrases": the NFC form first, then the bytes as typed.
            nfc = unicodedata.normalize("NFC", passphrase.decode("utf-8")).encode("utf-8")
            mk = open_slot(kf, s, argon2id(nfc, s.salt, s.m, s.t, s.p))
            if mk is None and nfc != passphrase:
                mk = open_slot(kf, s, argon2id(passphrase, s.salt, s.m, s.t, s.p))
        if mk is None:
            continue
        mac_key = hkdf(mk, INFO_FILE_MAC)
        if not hmac.compare_digest(hmac256(mac_key, kf.raw[:-KEYS_MAC_LEN]), kf.raw[-KEYS_MAC_LEN:]):
            raise Failure("damaged (key file copy): file MAC mismatch")
        return mk, s
    raise Failure("wrong passphrase or recovery key")


# --------------------------------------------------------------------------- backup header

class Header:
    pass


def rfc3339(secs: int) -> str:
    try:
        d = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(seconds=secs)
    except OverflowError:
        return f"@{secs}"
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_header(data: bytes) -> Header:
    """backup.md, "Header" and reading rules 1-3."""
    if len(data) < 14 or data[:8] != BACKUP_MAGIC:
        raise Failure("not a Baomi backup")
    version, H = struct.unpack(">HI", data[8:14])
    if version != BACKUP_VERSION:
        raise Failure(f"unsupported version {version}")
    if not H_MIN <= H <= H_MAX:
        raise Failure(f"damaged (header): header length {H} out of range")
    if len(data) < H:
        raise Failure(f"truncated: {len(data)} bytes, the header alone is {H}")
    h = Header()
    h.H = H
    h.raw = data[:H]
    r = Reader(h.raw, "header")
    r.take(14, "fixed fields")
    h.vault_id = r.take(16, "vault id")
    h.created_at = r.i64("created at")
    h.schema_version = r.u32("schema version")
    h.C = r.u32("chunk size")
    h.P = r.u64("payload length")
    h.salt = r.take(32, "salt")
    h.nonce_prefix = r.take(7, "nonce prefix")
    A = r.u16("version string length")
    h.app_version = r.utf8(A, "app version")
    L = r.u32("key file length")
    h.key_file = r.take(L, "key file")
    if not C_MIN <= h.C <= C_MAX:
        raise Failure(f"damaged (header): chunk size {h.C} out of range")
    if not P_MIN <= h.P <= P_MAX:
        raise Failure(f"damaged (header): payload length {h.P} out of range")
    if 99 + A + L != H:
        raise Failure(f"damaged (header): fields fill {99 + A + L} bytes, header length says {H}")
    h.n = -(-h.P // h.C)
    h.expected_len = H + h.P + TAG * h.n
    if len(data) < h.expected_len:
        raise Failure(f"truncated: {len(data)} bytes, {h.expected_len} expected")
    if len(data) > h.expected_len:
        raise Failure(f"damaged: {len(data) - h.expected_len} trailing bytes after the last chunk")
    return h


def decrypt_payload(data: bytes, h: Header, master: bytes) -> bytes:
    """backup.md, "Payload key" and "Payload encryption (STREAM)"."""
    kp = hkdf(master, INFO_PAYLOAD, salt=h.salt)
    aead = ChaCha20Poly1305(kp)
    aad = hashlib.sha256(h.raw).digest()
    out = bytearray()
    pos = h.H
    for i in range(h.n):
        plen = h.C if i < h.n - 1 else h.P - (h.n - 1) * h.C
        ct = data[pos:pos + plen + TAG]
        pos += plen + TAG
        nonce = h.nonce_prefix + struct.pack(">I", i) + (b"\x01" if i == h.n - 1 else b"\x00")
        try:
            out += aead.decrypt(nonce, ct, aad)
        except InvalidTag:
            raise Failure(f"damaged: chunk {i} of {h.n} failed to decrypt") from None
    assert pos == len(data) and len(out) == h.P
    return bytes(out)


# --------------------------------------------------------------------------- manifest

HEX64 = re.compile(r"[0-9a-f]{64}\Z")


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def parse_manifest(payload: bytes, h: Header) -> tuple[dict, bytes]:
    """backup.md, "Payload content", "Manifest" and reading rule 6."""
    if len(payload) < 4:
        raise Failure("manifest mismatch: payload shorter than its length field")
    M = struct.unpack(">I", payload[:4])[0]
    if M > MANIFEST_MAX or M + 4 > len(payload):
        raise Failure(f"manifest mismatch: manifest length {M} out of range")
    try:
        man = json.loads(payload[4:4 + M].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise Failure(f"manifest mismatch: not JSON ({e})") from None
    image = payload[4 + M:]

    def bad(what):
        raise Failure(f"manifest mismatch: {what}")

    if not isinstance(man, dict):
        bad("not a JSON object")
    if man.get("format") != 1 or not _int(man.get("format")):
        bad(f"format {man.get('format')!r}")
    if man.get("vault_id") != h.vault_id.hex():
        bad(f"vault_id {man.get('vault_id')!r} is not the header's {h.vault_id.hex()}")
    sv = man.get("schema_version")
    if not _int(sv) or sv != h.schema_version:
        bad(f"schema_version {sv!r} is not the header's {h.schema_version}")
    ca = man.get("created_at")
    try:
        when = _dt.datetime.fromisoformat(ca)
        if when.utcoffset() is None:
            raise ValueError
        secs = (when - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)) / _dt.timedelta(seconds=1)
    except (TypeError, ValueError):
        bad(f"created_at {ca!r} is not RFC 3339")
    if secs != h.created_at:
        bad(f"created_at {ca} is not the header's {rfc3339(h.created_at)}")
    if man.get("app_version") != h.app_version:
        bad(f"app_version {man.get('app_version')!r} is not the header's {h.app_version!r}")
    tables = man.get("tables")
    if not isinstance(tables, dict) or not all(_int(v) and v >= 0 for v in tables.values()):
        bad("tables is not an object of counts")
    head = man.get("audit_head")
    if (not isinstance(head, dict) or not _int(head.get("seq")) or head["seq"] < 0
            or not isinstance(head.get("hash"), str) or not HEX64.match(head["hash"])):
        bad(f"audit_head {head!r}")
    img = man.get("image")
    if (not isinstance(img, dict) or not _int(img.get("bytes"))
            or not isinstance(img.get("sha256"), str) or not HEX64.match(img["sha256"])):
        bad(f"image {img!r}")
    if img["bytes"] != len(image):
        bad(f"image.bytes {img['bytes']} but the payload holds {len(image)}")
    digest = hashlib.sha256(image).hexdigest()
    if digest != img["sha256"]:
        bad(f"image SHA-256 {digest} is not the manifest's {img['sha256']}")
    return man, image


# --------------------------------------------------------------------------- image

def memory_connection() -> sqlite3.Connection:
    """An in-memory connection whose temporary tables, indexes and sorts stay in memory
    too (SQLite's default may spill them to temporary files)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def open_image(image: bytes) -> sqlite3.Connection:
    conn = memory_connection()
    try:
        conn.deserialize(image)
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlite3.Error as e:
        raise Failure(f"image: cannot open ({e})") from None
    return conn


def image_tables(conn) -> list[str]:
    """backup.md: every table with a b-tree except SQLite's own sqlite_*."""
    rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0").fetchall()
    return sorted(n for (n,) in rows if not n.startswith("sqlite_"))


def qident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_image(conn, man: dict) -> dict:
    """backup.md reading rule 7, first half: integrity, user_version, row counts."""
    try:
        res = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.Error as e:
        raise Failure(f"image: integrity_check failed ({e})") from None
    if res != ["ok"]:
        raise Failure(f"image: integrity_check: {res[0]}")
    uv = conn.execute("PRAGMA user_version").fetchone()[0]
    if uv != man["schema_version"]:
        raise Failure(f"manifest mismatch: image user_version {uv}, manifest {man['schema_version']}")
    names = image_tables(conn)
    want = man["tables"]
    if set(names) != set(want):
        extra = sorted(set(names) - set(want))
        missing = sorted(set(want) - set(names))
        raise Failure(f"manifest mismatch: table set differs (image only: {extra}, manifest only: {missing})")
    counts = {}
    for n in names:
        c = conn.execute(f"SELECT count(*) FROM {qident(n)}").fetchone()[0]
        if c != want[n]:
            raise Failure(f"manifest mismatch: table {n} has {c} rows, manifest says {want[n]}")
        counts[n] = c
    return counts


def link_hash(k: bytes, prev: bytes, seq: int, at: bytes, user_id, action: bytes,
              entity: bytes, entity_id: bytes, detail: bytes) -> bytes:
    """audit-chain.md, "One link"."""
    user = b"" if user_id is None else str(user_id).encode()
    msg = (prev + field(str(seq).encode()) + field(at) + field(user) + field(action)
           + field(entity) + field(entity_id) + field(detail))
    return hmac256(k, msg)


def verify_chain(conn, k: bytes) -> tuple[int, bytes]:
    """audit-chain.md, "Verifying". Returns the head (seq, hash)."""
    prev, expected, head = bytes(32), 1, (0, bytes(32))
    rows = conn.execute(
        "SELECT seq, CAST(at AS BLOB), user_id, CAST(action AS BLOB), CAST(entity AS BLOB),"
        " CAST(entity_id AS BLOB), CAST(detail_json AS BLOB), prev_hash, hash"
        " FROM audit_events ORDER BY seq")
    for seq, at, uid, action, entity, entity_id, detail, prev_hash, h in rows:
        if seq != expected:
            raise Failure(f"chain broken at seq {expected} (found seq {seq})")
        if uid is not None and (not _int(uid) or uid < 0):
            raise Failure(f"chain broken at seq {seq} (user_id {uid!r})")
        if prev_hash != prev or h != link_hash(k, prev, seq, at, uid, action, entity, entity_id, detail):
            raise Failure(f"chain broken at seq {seq}")
        prev, expected, head = h, seq + 1, (seq, h)
    return head


def seal_mac(s: bytes, vault_id_hex: str, seq: int, head_hash: bytes, at: str, login: str) -> bytes:
    """audit-chain.md, "Seals" (needs the auditor's seal key S)."""
    return hmac256(s, SEAL_DOMAIN + field(vault_id_hex.encode()) + field(str(seq).encode())
                   + field(head_hash) + field(at.encode()) + field(login.encode()))


def chain_key(conn, master: bytes) -> bytes:
    """audit-chain.md, "The chain's key": stored by a rekey in settings, else from the master key."""
    row = None
    if "settings" in image_tables(conn):
        row = conn.execute("SELECT value FROM settings WHERE key = 'audit_chain_key'").fetchone()
    if row is not None:
        if not re.fullmatch(r"[0-9a-f]{64}", row[0] or ""):
            raise Failure("damaged image: settings.audit_chain_key is not 64 hex digits")
        return bytes.fromhex(row[0])
    return hkdf(master, INFO_CHAIN)


def seal_mac_v2(s: bytes, vault_id_hex: str, seq: int, head_hash: bytes, at: str, login: str,
                prev_mac: bytes) -> bytes:
    """audit-chain.md, "Seals", version 2."""
    return hmac256(s, SEAL_V2_DOMAIN + field(vault_id_hex.encode()) + field(str(seq).encode())
                   + field(head_hash) + field(at.encode()) + field(login.encode())
                   + field(prev_mac))


def own_seals(conn, kf: KeyFile, login: str, passphrase: bytes) -> dict | None:
    """audit-chain.md, "Checking, as the auditor": the version 2 seals of `login`, with the seal
    key of their kind 3 slot (keyslots.md, "Seal key slot") opened by their passphrase."""
    slots = [s for s in kf.slots if s.kind == KIND_SEAL_KEY and s.login == login]
    if not slots or "audit_seals" not in image_tables(conn):
        return None
    s = slots[0]
    nfc = unicodedata.normalize("NFC", passphrase.decode("utf-8")).encode("utf-8")
    key = open_slot(kf, s, argon2id(nfc, s.salt, s.m, s.t, s.p))
    if key is None:
        raise Failure(f"the seal key slot of {login} does not open with this passphrase")
    vid = kf.vault_id.hex()
    uid = conn.execute("SELECT id FROM users WHERE login = ?", (login,)).fetchone()
    uid = uid[0] if uid else None
    verified, failed, macs = [], [], []
    rows = conn.execute("SELECT s.id, s.version, s.seq, s.head_hash, s.at, s.login, s.user_id,"
                        " s.key_id, s.prev_mac, s.mac, e.hash FROM audit_seals s"
                        " LEFT JOIN audit_events e ON e.seq = s.seq ORDER BY s.id").fetchall()
    kid = seal_key_id(key)
    for sid, ver, seq, head, at, who, user_id, key_id, prev, mac, ev_hash in rows:
        ok = ver == 2 and hmac.compare_digest(
            seal_mac_v2(key, vid, seq, head, at, who, prev or b""), mac)
        if ok:
            macs.append(mac)
            (verified if ev_hash == head else failed).append(sid)
        elif who == login or user_id == uid or key_id == kid:
            failed.append(sid)
    for sid, ver, seq, head, at, who, user_id, key_id, prev, mac, ev_hash in rows:
        if mac in macs and prev and prev not in macs and sid in verified:
            verified.remove(sid)
            failed.append(sid)
    return {"auditor": login, "intact": verified, "failed": sorted(failed)}


def seal_key_id(s: bytes) -> bytes:
    return hmac256(s, SEAL_KEY_ID)[:8]


def check_seal_heads(conn) -> tuple[int, list[int]]:
    """The half of a seal that needs no auditor passphrase: its head is still in the chain."""
    if "audit_seals" not in image_tables(conn):
        return 0, []
    bad = []
    rows = conn.execute("SELECT s.id, s.head_hash, e.hash FROM audit_seals s"
                        " LEFT JOIN audit_events e ON e.seq = s.seq ORDER BY s.id").fetchall()
    for sid, head_hash, ev_hash in rows:
        if ev_hash is None or head_hash != ev_hash:
            bad.append(sid)
    return len(rows), bad


# --------------------------------------------------------------------------- restore check

TEST_TITLE = "互通 测试\u3000Interop\ttitle"      # U+3000 and TAB are White_Space
TEST_TITLE2 = "更名\u2003Renamed"                  # U+2003 EM SPACE


def _split_top_level(s: str) -> list[str]:
    """Split an SQL expression list at the commas outside parentheses and quotes."""
    parts, depth, quote, cur = [], 0, None, []
    for ch in s:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            cur.append(ch)
        elif ch == "(":
            depth += 1
            cur.append(ch)
        elif ch == ")":
            depth -= 1
            cur.append(ch)
        elif ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


def _chars_schema(conn):
    """The documents_chars declaration and what documents_fts_insert writes into it."""
    def sql_of(name):
        row = conn.execute("SELECT sql FROM sqlite_schema WHERE name = ?", [name]).fetchone()
        if row is None:
            raise Failure(f"restore check: the image has no {name}")
        return row[0]

    decl = sql_of("documents_chars")
    trig = sql_of("documents_fts_insert")
    m = re.search(r"INSERT\s+INTO\s+documents_chars\s*\(([^)]*)\)\s*VALUES\s*\((.*?)\)\s*;\s*END\s*$",
                  trig, re.S | re.I)
    if m is None or "baomi_chars" not in m.group(2):
        raise Failure("restore check: documents_fts_insert does not fill documents_chars with baomi_chars")
    cols = [c.strip() for c in m.group(1).split(",")]
    exprs = _split_top_level(m.group(2))
    if len(cols) != len(exprs) or cols[0].lower() != "rowid":
        raise Failure("restore check: cannot read documents_fts_insert")
    m2 = re.search(r"USING\s+fts5\s*\((.*)\)\s*$", decl, re.S | re.I)
    if m2 is None:
        raise Failure("restore check: documents_chars is not an FTS5 table")
    args = m2.group(1)
    plain_args = re.sub(r",\s*contentless_delete\s*=\s*'?1'?", "", args, flags=re.I)
    return decl, args, plain_args, cols, exprs


def _docsize_proof(conn, plain_args, cols, exprs) -> dict:
    """documents_chars is contentless, so its text cannot be read back; its shadow table
    documents_chars_docsize (a plain table) holds each row's token count per column.
    Re-index baomi_chars(...) of every document, with SQLite's own FTS5 and the same
    tokenizer, in a scratch table and require identical sizes; the raw (unspaced) text
    is indexed too, to show the comparison tells the two apart."""
    sel = ", ".join(re.sub(r"\bnew\.", "d.", e, flags=re.I) for e in exprs)
    raw_sel = ", ".join(re.sub(r"baomi_chars\s*\(", "(", re.sub(r"\bnew\.", "d.", e, flags=re.I),
                               flags=re.I) for e in exprs)
    rows = conn.execute(f"SELECT {sel} FROM documents d ORDER BY d.rowid").fetchall()
    raw_rows = conn.execute(f"SELECT {raw_sel} FROM documents d ORDER BY d.rowid").fetchall()
    held = dict(conn.execute("SELECT id, sz FROM documents_chars_docsize"))
    scratch = memory_connection()
    try:
        ph = ", ".join("?" * len(cols))
        collist = ", ".join(cols)
        sizes = []
        for name, data in (("spaced", rows), ("raw", raw_rows)):
            scratch.execute(f"CREATE VIRTUAL TABLE {name} USING fts5({plain_args})")
            scratch.executemany(f"INSERT INTO {name} ({collist}) VALUES ({ph})", data)
            sizes.append(dict(scratch.execute(f"SELECT id, sz FROM {name}_docsize")))
    finally:
        scratch.close()
    spaced, raw = sizes
    if set(held) != set(spaced):
        raise Failure(f"restore check: documents_chars indexes {len(held)} rows, documents has {len(spaced)}")
    for rowid in sorted(spaced):
        if held[rowid] != spaced[rowid]:
            raise Failure(f"restore check: documents_chars row {rowid} was not indexed from baomi_chars"
                          f" (token counts {held[rowid].hex()} vs {spaced[rowid].hex()})")
    return {"rows": len(spaced), "raw_text_would_differ": sum(held[r] != raw[r] for r in raw)}


def _copy_for_writing(conn, decl, plain_args):
    """An in-memory copy to write into. SQLite before 3.43 cannot open documents_chars
    (contentless_delete = 1), so there it is dropped from the copy's schema and created
    again, empty, as an FTS5 table that keeps its content (so the triggers' DELETE works
    and the text they index can be read back)."""
    copy = memory_connection()
    copy.deserialize(conn.serialize())
    if sqlite3.sqlite_version_info >= (3, 43, 0):
        return copy, False
    copy.execute("PRAGMA writable_schema = ON")
    copy.execute("DELETE FROM sqlite_schema WHERE name = 'documents_chars'"
                 " OR name GLOB 'documents_chars_*'")
    copy.execute("PRAGMA writable_schema = OFF")
    again = memory_connection()
    again.deserialize(copy.serialize())                # reloads the schema
    copy.close()
    stored_args = re.sub(r",\s*content\s*=\s*''", "", plain_args, flags=re.I)
    again.execute(f"CREATE VIRTUAL TABLE documents_chars USING fts5({stored_args})")
    return again, True


def _match(conn, text) -> set[int]:
    phrase = '"' + baomi_chars(text).replace('"', '""') + '"'
    return {r for (r,) in conn.execute(
        "SELECT rowid FROM documents_chars WHERE documents_chars MATCH ?", [phrase])}


def _insert_proof(conn, decl, plain_args) -> dict:
    """Insert a document (NOT NULL columns copied from an existing row) into a copy of the
    image: without baomi_chars it must fail with "no such function", with it the
    triggers must run and documents_chars must find it; then update its title; roll back."""
    src = conn.execute("SELECT * FROM documents ORDER BY rowid LIMIT 1").fetchone()
    if src is None:
        return {"result": "skipped: no document to copy"}
    copy, rebuilt = _copy_for_writing(conn, decl, plain_args)
    try:
        cols = copy.execute("PRAGMA table_xinfo(documents)").fetchall()
        unique = _unique_columns(copy, "documents")
        names, values = [], []
        for (cid, name, ctype, notnull, dflt, pk, hidden), v in zip(cols, src):
            if hidden or pk:            # generated columns; the new rowid
                continue
            if name == "title":
                v = TEST_TITLE
            elif name in unique and v is not None:
                v = _fresh_value(copy, name, v)
            names.append(qident(name))
            values.append(v)
        ins = (f"INSERT INTO documents ({', '.join(names)}) VALUES ({', '.join('?' * len(values))})")
        copy.execute("BEGIN")
        try:
            copy.execute(ins, values)
            raise Failure("restore check: a document was written without baomi_chars registered")
        except sqlite3.OperationalError as e:
            if "no such function: baomi_chars" not in str(e):
                raise Failure(f"restore check: writing without baomi_chars failed otherwise ({e})") from None
        copy.execute("ROLLBACK")
        copy.create_function("baomi_chars", 1, baomi_chars, deterministic=True)
        copy.execute("BEGIN")
        try:
            new_id = copy.execute(ins, values).lastrowid
            if new_id not in _match(copy, TEST_TITLE) or new_id not in _match(copy, "Interop"):
                raise Failure("restore check: the new document is not found through documents_chars")
            if rebuilt:
                held = copy.execute("SELECT title FROM documents_chars WHERE rowid = ?", [new_id]).fetchone()
                if held is None or held[0] != baomi_chars(TEST_TITLE):
                    raise Failure(f"restore check: documents_chars holds {held!r} for the new title")
            copy.execute("UPDATE documents SET title = ? WHERE rowid = ?", [TEST_TITLE2, new_id])
            if new_id in _match(copy, TEST_TITLE) or new_id not in _match(copy, TEST_TITLE2):
                raise Failure("restore check: documents_chars did not follow a title update")
            trigram = {r for (r,) in copy.execute(
                "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", ['"Renamed"'])}
            if new_id not in trigram:
                raise Failure("restore check: the new document is not found through documents_fts")
        except sqlite3.Error as e:
            raise Failure(f"restore check: writing a document failed ({e})") from None
        finally:
            copy.execute("ROLLBACK")
        left = copy.execute("SELECT count(*) FROM documents WHERE rowid = ?", [new_id]).fetchone()[0]
        if left:
            raise Failure("restore check: the rollback left the test document behind")
    finally:
        copy.close()
    how = ("on a copy whose documents_chars was recreated without contentless_delete"
           f" (SQLite {sqlite3.sqlite_version} < 3.43)" if rebuilt else f"SQLite {sqlite3.sqlite_version}")
    return {"result": "ok", "how": how, "new_rowid": new_id}


def restore_check(conn) -> dict:
    """audit-chain.md, "The SQL function baomi_chars": register it and prove it is the
    function the database was written with."""
    conn.create_function("baomi_chars", 1, baomi_chars, deterministic=True)
    decl, args, plain_args, cols, exprs = _chars_schema(conn)
    out = {"docsize": _docsize_proof(conn, plain_args, cols, exprs)}
    if sqlite3.sqlite_version_info >= (3, 43, 0):
        # documents_chars can be queried: every document is found by its spaced title.
        for rowid, title in conn.execute("SELECT rowid, title FROM documents ORDER BY rowid LIMIT 20"):
            if rowid not in _match(conn, title):
                raise Failure(f"restore check: document {rowid} is not found through documents_chars")
    out["insert"] = _insert_proof(conn, decl, plain_args)
    return out


def _unique_columns(conn, table) -> set[str]:
    cols = set()
    for _, iname, unique, *_ in conn.execute(f"PRAGMA index_list({qident(table)})"):
        if unique:
            info = conn.execute(f"PRAGMA index_info({qident(iname)})").fetchall()
            if len(info) == 1 and info[0][2] is not None:
                cols.add(info[0][2])
    return cols


def _fresh_value(conn, col, v):
    if isinstance(v, int):
        return conn.execute(f"SELECT max({qident(col)}) + 1 FROM documents").fetchone()[0]
    if isinstance(v, str):
        return v + "-interop"
    return v


# --------------------------------------------------------------------------- main

def read_backup(path: str, *, passphrase: bytes | None = None, recovery_text: str | None = None,
                login: str | None = None, restore: bool = False) -> dict:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise Failure(f"cannot read {path}: {e.strerror}") from None
    h = parse_header(data)                                   # rules 1-3
    kf = parse_key_file(h.key_file)
    if kf.vault_id != h.vault_id:
        raise Failure("damaged (key file copy): vault id differs from the header's")
    recovery = parse_recovery_key(recovery_text) if recovery_text is not None else None
    master, slot = unlock(kf, passphrase=passphrase, recovery=recovery, login=login)  # rule 4
    payload = decrypt_payload(data, h, master)               # rule 5
    man, image = parse_manifest(payload, h)                  # rule 6
    del payload
    conn = open_image(image)                                 # rule 7
    try:
        report = _check_opened_image(path, h, kf, slot, man, image, conn, master, restore)
        if passphrase is not None and slot.kind == KIND_PASSPHRASE:
            mine = own_seals(conn, kf, slot.login, passphrase)
            if mine is not None:
                report["own_seals"] = mine
        return report
    except sqlite3.Error as e:
        raise Failure(f"image: {e}") from None
    finally:
        conn.close()


def _check_opened_image(path, h, kf, slot, man, image, conn, master, restore) -> dict:
    """backup.md reading rule 7 and the report."""
    counts = check_image(conn, man)
    k = chain_key(conn, master)
    if "audit_events" not in counts:
        raise Failure("manifest mismatch: the image has no audit_events table")
    head_seq, head_hash = verify_chain(conn, k)
    mh = man["audit_head"]
    if (head_seq, head_hash.hex()) != (mh["seq"], mh["hash"]):
        raise Failure(f"manifest mismatch: audit head is seq {head_seq} {head_hash.hex()},"
                      f" manifest says seq {mh['seq']} {mh['hash']}")
    seals, bad_seals = check_seal_heads(conn)
    report = {
        "file": path,
        "vault_id": h.vault_id.hex(),
        "unit": man.get("unit_name"),
        "created_at": rfc3339(h.created_at),
        "app_version": h.app_version,
        "made_by": man.get("made_by"),
        "schema_version": h.schema_version,
        "chunk_size": h.C,
        "chunks": h.n,
        "payload_bytes": h.P,
        "opened_with": "recovery key" if slot.kind == KIND_RECOVERY else f"passphrase of {slot.login}",
        "key_slots": [s.owner for s in kf.slots],
        "tables": counts,
        "audit_head": {"seq": head_seq, "hash": head_hash.hex()},
        "image": {"bytes": len(image), "sha256": man["image"]["sha256"]},
        "seals": {"count": seals, "head_not_in_chain": bad_seals},
        "verified": True,
    }
    if restore:
        report["restore_check"] = restore_check(conn)
    return report


def print_report(rep: dict) -> None:
    print(f"file            {rep['file']}")
    print(f"vault id        {rep['vault_id']}")
    print(f"unit            {rep['unit']}")
    print(f"created at      {rep['created_at']}  (by {rep['made_by']}, Baomi {rep['app_version']})")
    print(f"schema version  {rep['schema_version']}")
    print(f"opened with     {rep['opened_with']}  (slots: {', '.join(rep['key_slots'])})")
    print(f"payload         {rep['payload_bytes']} bytes in {rep['chunks']} chunk(s) of {rep['chunk_size']}")
    print(f"image           {rep['image']['bytes']} bytes, sha256 {rep['image']['sha256']}")
    print("tables")
    for name, c in rep["tables"].items():
        print(f"  {name:<32} {c}")
    print(f"audit head      seq {rep['audit_head']['seq']}  {rep['audit_head']['hash']}")
    s = rep["seals"]
    if s["count"]:
        note = "all heads in the chain" if not s["head_not_in_chain"] else \
            f"WARNING: heads not in the chain: {s['head_not_in_chain']}"
        print(f"seals           {s['count']} ({note}; MACs need the auditor's passphrase)")
    if "own_seals" in rep:
        o = rep["own_seals"]
        print(f"own seals       {o['auditor']}: intact {o['intact']}, failed {o['failed']}")
    if "restore_check" in rep:
        rc = rep["restore_check"]
        d, ins = rc["docsize"], rc["insert"]
        print(f"restore check   documents_chars token counts = baomi_chars on {d['rows']} rows"
              f" (raw text would differ on {d['raw_text_would_differ']})")
        print(f"                document insert/update with baomi_chars: {ins['result']}"
              + (f", {ins['how']}" if "how" in ins else ""))
    print("verified")


def read_first_line(path: str) -> str:
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Failure(f"{path} is not UTF-8") from None
    line = text.split("\n", 1)[0]
    return line[:-1] if line.endswith("\r") else line


def one_line(msg: str) -> str:
    return " / ".join(part.strip() for part in msg.splitlines() if part.strip())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Read and verify a Baomi backup without Baomi.")
    ap.add_argument("file")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--passphrase-file", metavar="P", help="first line is the passphrase")
    g.add_argument("--recovery-key-file", metavar="R", help="the recovery key's written form")
    ap.add_argument("--login", help="open only this user's passphrase slot")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--restore-check", action="store_true",
                    help="register baomi_chars and write a document into the in-memory image")
    args = ap.parse_args(argv)
    if args.login is not None and args.passphrase_file is None:
        ap.error("--login goes with --passphrase-file")
    try:
        if args.passphrase_file is not None:
            pw = read_first_line(args.passphrase_file).encode("utf-8")
            rep = read_backup(args.file, passphrase=pw, login=args.login, restore=args.restore_check)
        else:
            try:
                with open(args.recovery_key_file, encoding="utf-8") as f:
                    rk = f.read()
            except (OSError, UnicodeDecodeError) as e:
                raise Failure(f"cannot read {args.recovery_key_file}: {e}") from None
            rep = read_backup(args.file, recovery_text=rk, restore=args.restore_check)
    except (Failure, OSError, MemoryError) as e:
        print(one_line(f"read_backup: {e}"), file=sys.stderr)
        return 1
    except Exception as e:  # a bug here, not a verdict on the file; still one line
        print(one_line(f"read_backup: internal error: {type(e).__name__}: {e}"), file=sys.stderr)
        return 1
    if args.json:
        json.dump(rep, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_report(rep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
