//! Reading passphrases: a no-echo prompt on a terminal, else lines of standard input, or the
//! first line of `--passphrase-file`. Everything read is zeroized, and nothing longer than
//! [`MAX_PASSPHRASE_BYTES`] is read (`--passphrase-file /dev/zero` once grew to gigabytes).
//!
//! Standard input is read byte by byte from its file descriptor, not through `std::io::stdin()`:
//! its 8 KiB buffer would keep a copy of the passphrase (and of the lines after it) that nobody
//! zeroizes, and would swallow the next line meant for the next prompt.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use std::os::fd::AsFd;

use zeroize::{Zeroize, Zeroizing};

use super::CliError;
use crate::domain::passphrase::check;
use crate::vault::Passphrase;

/// Where passphrases come from for one command.
pub struct SecretInput {
    file: Option<PathBuf>,
    file_used: bool,
    tty: bool,
}

impl SecretInput {
    pub fn new(file: Option<PathBuf>) -> Self {
        Self {
            file,
            file_used: false,
            tty: std::io::stdin().is_terminal(),
        }
    }

    /// Whether prompts go to a terminal.
    pub fn is_tty(&self) -> bool {
        self.tty
    }

    /// Whether a passphrase file was given.
    pub fn has_file(&self) -> bool {
        self.file.is_some()
    }

    /// The current passphrase of an existing user: the file, else a prompt, else a stdin line.
    pub fn current(&mut self, prompt: &str) -> Result<Passphrase, CliError> {
        if let Some(path) = self.file.clone().filter(|_| !self.file_used) {
            self.file_used = true;
            let file = std::fs::File::open(&path)
                .map_err(|e| CliError(format!("无法读取口令文件：{e}：{}", path.display())))?;
            return read_line_from(file)
                .map_err(|e| CliError(format!("{e}：{}", path.display())))
                .and_then(nonempty);
        }
        self.line(prompt)
    }

    /// A new passphrase: asked twice on a terminal, else the next stdin line. Checked for length.
    pub fn new_passphrase(&mut self, prompt: &str) -> Result<Passphrase, CliError> {
        let p = self.line(prompt)?;
        if self.tty {
            let again = self.line("再次输入新口令：")?;
            if again.as_str() != p.as_str() {
                return Err(CliError("两次输入的口令不一致".into()));
            }
        }
        check(p.as_str(), "").map_err(|e| CliError(e.to_string()))?;
        Ok(p)
    }

    fn line(&mut self, prompt: &str) -> Result<Passphrase, CliError> {
        if self.tty {
            let text = Zeroizing::new(
                rpassword::prompt_password(prompt)
                    .map_err(|e| CliError(format!("无法读取口令：{e}")))?,
            );
            if text.len() > MAX_PASSPHRASE_BYTES {
                return Err(too_long());
            }
            return nonempty(Passphrase::new(text.as_str().to_owned()));
        }
        let stdin = std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map_err(|e| CliError(format!("无法读取标准输入：{e}")))?;
        match read_line_from(std::fs::File::from(stdin)) {
            Err(ReadError::Empty) => Err(CliError("标准输入中没有口令（需要一行口令）".into())),
            other => other
                .map_err(|e| CliError(e.to_string()))
                .and_then(nonempty),
        }
    }
}

/// The longest passphrase accepted, in bytes of UTF-8 (a long sentence of Chinese is ~300).
pub const MAX_PASSPHRASE_BYTES: usize = 1024;

fn too_long() -> CliError {
    CliError(format!(
        "口令太长：最多 {MAX_PASSPHRASE_BYTES} 字节（请检查口令文件或输入是否选错）"
    ))
}

#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("没有口令")]
    Empty,
    #[error("口令太长：最多 {MAX_PASSPHRASE_BYTES} 字节（请检查口令文件或输入是否选错）")]
    TooLong,
    #[error("口令不是有效的 UTF-8 文本")]
    NotText,
    #[error("无法读取口令：{0}")]
    Io(std::io::Error),
}

/// Reads one line (without its `\n` or `\r\n`), one byte per read so that nothing after the
/// line is consumed or buffered, into zeroizing memory, refusing more than the maximum.
fn read_line_from(mut from: impl Read) -> Result<Passphrase, ReadError> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_PASSPHRASE_BYTES + 1));
    let mut byte = [0u8; 1];
    let mut any = false;
    loop {
        match from.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => {
                any = true;
                if byte[0] == b'\n' {
                    break;
                }
                if bytes.len() == MAX_PASSPHRASE_BYTES {
                    byte.zeroize();
                    return Err(ReadError::TooLong);
                }
                bytes.push(byte[0]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    byte.zeroize();
    if !any {
        return Err(ReadError::Empty);
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| ReadError::NotText)?;
    Ok(Passphrase::new(text.to_owned()))
}

fn nonempty(p: Passphrase) -> Result<Passphrase, CliError> {
    if p.is_empty() {
        Err(CliError("口令为空".into()))
    } else {
        Ok(p)
    }
}
