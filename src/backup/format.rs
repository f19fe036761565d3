//! The backup file, byte for byte (`docs/format/backup.md`): a header in the clear and
//! authenticated, then the payload encrypted with STREAM (ChaCha20-Poly1305, 64 KiB chunks, a
//! 32-bit chunk counter and a last-chunk flag in each nonce).
//!
//! Every chunk's associated data is SHA-256 of the header, so a changed header byte fails the
//! first chunk; the counter refuses reordered chunks, the last-chunk flag a truncated file.

use std::io::{Read, Write};

use aead_stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use sha2::{Digest, Sha256};

use super::BackupError;
use crate::vault::SubKey;

/// First bytes of every backup file.
pub const MAGIC: &[u8; 8] = b"BAOMIBAK";
/// The format version this build writes and reads.
pub const VERSION: u16 = 1;
/// Plaintext bytes per chunk (the last chunk holds 1 to `CHUNK` bytes).
pub const CHUNK: usize = 64 * 1024;
/// Poly1305 tag bytes after each chunk's ciphertext.
pub const TAG: usize = 16;
/// Bytes of the backup's salt (HKDF salt of its payload key).
pub const SALT_LEN: usize = 32;
/// Bytes of the STREAM nonce prefix (12-byte ChaCha20-Poly1305 nonce minus 4 counter bytes and
/// 1 flag byte).
pub const NONCE_PREFIX_LEN: usize = 7;
/// Bytes of the fixed part of the header, before the application version string.
const FIXED: usize = 8 + 2 + 4 + 16 + 8 + 4 + 4 + 8 + SALT_LEN + NONCE_PREFIX_LEN;
/// A header larger than this is not one (a key file is at most 1 MiB).
const MAX_HEADER: u32 = 2 * 1024 * 1024;
/// Chunk sizes a reader accepts (this build writes [`CHUNK`]).
const CHUNK_RANGE: std::ops::RangeInclusive<u32> = 4096..=16 * 1024 * 1024;
/// The largest payload a reader accepts (16 GiB).
const MAX_PAYLOAD: u64 = 16 << 30;

/// The header: what a reader needs before any decryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The vault's id (as in its key file).
    pub vault_id: [u8; 16],
    /// When the snapshot was taken: seconds since 1970-01-01 UTC.
    pub created_at: i64,
    /// The database's schema version (`PRAGMA user_version`).
    pub schema_version: u32,
    /// Plaintext bytes per chunk.
    pub chunk_size: u32,
    /// Plaintext bytes of the payload (manifest length, manifest, image).
    pub payload_len: u64,
    /// The payload key's HKDF salt, random per backup.
    pub salt: [u8; SALT_LEN],
    /// STREAM nonce prefix, random per backup.
    pub nonce_prefix: [u8; NONCE_PREFIX_LEN],
    /// The version of Baomi that wrote it (`0.1.0`).
    pub app_version: String,
    /// The vault's key file as it was (`docs/format/keyslots.md`), MAC included.
    pub key_file: Vec<u8>,
}

impl Header {
    /// The header's bytes as written at the start of the file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let app = self.app_version.as_bytes();
        let len = FIXED + 2 + app.len() + 4 + self.key_file.len();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_be_bytes());
        out.extend_from_slice(&(len as u32).to_be_bytes());
        out.extend_from_slice(&self.vault_id);
        out.extend_from_slice(&self.created_at.to_be_bytes());
        out.extend_from_slice(&self.schema_version.to_be_bytes());
        out.extend_from_slice(&self.chunk_size.to_be_bytes());
        out.extend_from_slice(&self.payload_len.to_be_bytes());
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.nonce_prefix);
        out.extend_from_slice(&(app.len() as u16).to_be_bytes());
        out.extend_from_slice(app);
        out.extend_from_slice(&(self.key_file.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.key_file);
        debug_assert_eq!(out.len(), len);
        out
    }

    /// Reads the header from the start of `r`. Returns it and its bytes (the chunks'
    /// associated data is their SHA-256).
    pub fn read(r: &mut impl Read) -> Result<(Header, Vec<u8>), BackupError> {
        let mut head = [0u8; 14];
        read_exact_or(r, &mut head, BackupError::NotABackup)?;
        if &head[..8] != MAGIC {
            return Err(BackupError::NotABackup);
        }
        let version = u16::from_be_bytes([head[8], head[9]]);
        if version != VERSION {
            return Err(BackupError::UnsupportedVersion(version));
        }
        let len = u32::from_be_bytes([head[10], head[11], head[12], head[13]]);
        if !(FIXED as u32 + 6..=MAX_HEADER).contains(&len) {
            return Err(BackupError::damaged_header(
                "头部长度不对",
                "header length out of range",
            ));
        }
        let mut bytes = head.to_vec();
        bytes.resize(len as usize, 0);
        read_exact_or(r, &mut bytes[14..], BackupError::Truncated)?;
        let mut p = Parser {
            bytes: &bytes,
            pos: 14,
        };
        let mut h = Header {
            vault_id: p.array()?,
            created_at: i64::from_be_bytes(p.array()?),
            schema_version: u32::from_be_bytes(p.array()?),
            chunk_size: u32::from_be_bytes(p.array()?),
            payload_len: u64::from_be_bytes(p.array()?),
            salt: p.array()?,
            nonce_prefix: p.array()?,
            app_version: String::new(),
            key_file: Vec::new(),
        };
        let app_len = usize::from(u16::from_be_bytes(p.array()?));
        h.app_version = String::from_utf8(p.take(app_len)?.to_vec()).map_err(|_| {
            BackupError::damaged_header("版本字符串不是 UTF-8", "version string is not UTF-8")
        })?;
        let key_len = u32::from_be_bytes(p.array()?) as usize;
        h.key_file = p.take(key_len)?.to_vec();
        if p.pos != bytes.len() {
            return Err(BackupError::damaged_header(
                "头部长度与内容不符",
                "header length does not match its fields",
            ));
        }
        if !CHUNK_RANGE.contains(&h.chunk_size) {
            return Err(BackupError::damaged_header(
                "分块大小不对",
                "chunk size out of range",
            ));
        }
        if h.payload_len == 0 || h.payload_len > MAX_PAYLOAD {
            return Err(BackupError::damaged_header(
                "数据长度不对",
                "payload length out of range",
            ));
        }
        Ok((h, bytes))
    }

    /// How many chunks the payload has.
    pub fn chunks(&self) -> u64 {
        self.payload_len.div_ceil(u64::from(self.chunk_size))
    }

    /// Bytes of the whole file: header and every chunk with its tag.
    pub fn file_len(&self, header_len: usize) -> u64 {
        header_len as u64 + self.payload_len + self.chunks() * TAG as u64
    }
}

fn read_exact_or(r: &mut impl Read, buf: &mut [u8], short: BackupError) -> Result<(), BackupError> {
    match r.read_exact(buf) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(short),
        Err(e) => Err(BackupError::Read(e)),
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], BackupError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(BackupError::damaged_header(
                "头部字段超出头部长度",
                "a header field runs past the header",
            ));
        };
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BackupError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
}

/// SHA-256 of the header's bytes: every chunk's associated data.
pub fn header_digest(header_bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(header_bytes).into()
}

fn cipher(key: &SubKey) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new_from_slice(key.expose()).expect("a 32-byte key")
}

/// Encrypts a payload of known length into chunks, writing each as it is sealed.
pub struct PayloadWriter<W: Write> {
    out: W,
    stream: Option<EncryptorBE32<ChaCha20Poly1305>>,
    aad: [u8; 32],
    chunk: usize,
    /// Plaintext bytes still to come.
    remaining: u64,
    buf: Vec<u8>,
}

impl<W: Write> PayloadWriter<W> {
    /// A writer of `header`'s payload under `key`; `header_bytes` are the header as written.
    pub fn new(out: W, header: &Header, header_bytes: &[u8], key: &SubKey) -> Self {
        let chunk = header.chunk_size as usize;
        PayloadWriter {
            out,
            stream: Some(EncryptorBE32::from_aead(
                cipher(key),
                &header.nonce_prefix.into(),
            )),
            aad: header_digest(header_bytes),
            chunk,
            remaining: header.payload_len,
            buf: Vec::with_capacity(chunk + TAG),
        }
    }

    /// A writer under a backup's payload key (the bench times the encryption alone with it).
    pub fn for_keys(
        out: W,
        header: &Header,
        header_bytes: &[u8],
        keys: &super::snapshot::BackupKeys,
    ) -> Self {
        Self::new(out, header, header_bytes, &keys.payload)
    }

    /// Adds plaintext; full chunks are sealed and written.
    pub fn write(&mut self, mut data: &[u8]) -> Result<(), BackupError> {
        if data.len() as u64 > self.remaining {
            return Err(BackupError::Internal("payload longer than announced"));
        }
        while !data.is_empty() {
            let room = self.chunk - self.buf.len();
            let n = room.min(data.len());
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            self.remaining -= n as u64;
            if self.buf.len() == self.chunk && self.remaining > 0 {
                let stream = self.stream.as_mut().expect("not finished");
                stream
                    .encrypt_next_in_place(&self.aad, &mut self.buf)
                    .map_err(|_| BackupError::Internal("chunk counter overflow"))?;
                self.out.write_all(&self.buf).map_err(BackupError::Write)?;
                self.buf.clear();
            }
        }
        Ok(())
    }

    /// Seals the last chunk and returns the destination.
    pub fn finish(mut self) -> Result<W, BackupError> {
        if self.remaining != 0 || self.buf.is_empty() {
            return Err(BackupError::Internal("payload shorter than announced"));
        }
        let stream = self.stream.take().expect("not finished");
        stream
            .encrypt_last_in_place(&self.aad, &mut self.buf)
            .map_err(|_| BackupError::Internal("last chunk"))?;
        self.out.write_all(&self.buf).map_err(BackupError::Write)?;
        Ok(self.out)
    }
}

/// Decrypts the payload chunk by chunk as a [`Read`]: every byte it yields was authenticated.
/// A failure is kept in [`PayloadReader::failure`] (a `Read` can only return an I/O error).
pub struct PayloadReader<R: Read> {
    input: R,
    stream: Option<DecryptorBE32<ChaCha20Poly1305>>,
    aad: [u8; 32],
    chunk: usize,
    /// Chunks still to read, the current one included.
    chunks_left: u64,
    /// Index of the next chunk (for messages).
    next_index: u64,
    payload_len: u64,
    buf: Vec<u8>,
    pos: usize,
    /// What stopped the reading, if anything.
    failure: Option<BackupError>,
    /// Ciphertext bytes consumed (for progress).
    consumed: u64,
}

impl<R: Read> PayloadReader<R> {
    /// A reader of `header`'s payload from `input`, positioned just after the header.
    pub fn new(input: R, header: &Header, header_bytes: &[u8], key: &SubKey) -> Self {
        let chunk = header.chunk_size as usize;
        PayloadReader {
            input,
            stream: Some(DecryptorBE32::from_aead(
                cipher(key),
                &header.nonce_prefix.into(),
            )),
            aad: header_digest(header_bytes),
            chunk,
            chunks_left: header.chunks(),
            next_index: 0,
            payload_len: header.payload_len,
            buf: Vec::with_capacity(chunk + TAG),
            pos: 0,
            failure: None,
            consumed: 0,
        }
    }

    /// Why reading stopped early, if it did.
    pub fn take_failure(&mut self) -> Option<BackupError> {
        self.failure.take()
    }

    /// Ciphertext bytes read so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// After the whole payload was read: nothing may follow the last chunk.
    pub fn finish(mut self) -> Result<(), BackupError> {
        if let Some(f) = self.failure.take() {
            return Err(f);
        }
        if self.chunks_left != 0 || self.pos != self.buf.len() {
            return Err(BackupError::Internal("payload not read to its end"));
        }
        let mut extra = [0u8; 1];
        match self.input.read(&mut extra) {
            Ok(0) => Ok(()),
            Ok(_) => Err(BackupError::damaged(
                "最后一个数据块之后还有多余的字节",
                "bytes follow the last chunk",
            )),
            Err(e) => Err(BackupError::Read(e)),
        }
    }

    fn fill(&mut self) -> Result<(), BackupError> {
        let last = self.chunks_left == 1;
        let plain = if last {
            (self.payload_len - (self.next_index * self.chunk as u64)) as usize
        } else {
            self.chunk
        };
        self.buf.resize(plain + TAG, 0);
        let mut got = 0;
        while got < self.buf.len() {
            match self.input.read(&mut self.buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(BackupError::Read(e)),
            }
        }
        self.consumed += got as u64;
        if got < self.buf.len() {
            return Err(BackupError::Truncated);
        }
        let index = self.next_index;
        let failed = || BackupError::ChunkFailed { index };
        if last {
            let stream = self
                .stream
                .take()
                .ok_or(BackupError::Internal("read past the end"))?;
            stream
                .decrypt_last_in_place(&self.aad, &mut self.buf)
                .map_err(|_| failed())?;
        } else {
            let stream = self
                .stream
                .as_mut()
                .ok_or(BackupError::Internal("read past the end"))?;
            stream
                .decrypt_next_in_place(&self.aad, &mut self.buf)
                .map_err(|_| failed())?;
        }
        self.chunks_left -= 1;
        self.next_index += 1;
        self.pos = 0;
        Ok(())
    }
}

impl<R: Read> Read for PayloadReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.failure.is_some() {
            return Err(std::io::Error::other("backup payload failed"));
        }
        if self.pos == self.buf.len() {
            if self.chunks_left == 0 {
                return Ok(0);
            }
            if let Err(e) = self.fill() {
                self.failure = Some(e);
                return Err(std::io::Error::other("backup payload failed"));
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
