//! Reading passphrases: a no-echo prompt on a terminal, else lines of standard input, or the
//! first line of `--passphrase-file`. Everything read is zeroized.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use zeroize::Zeroizing;

use super::CliError;
use crate::domain::passphrase::strength;
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
            let text = Zeroizing::new(
                std::fs::read_to_string(&path)
                    .map_err(|e| CliError(format!("无法读取口令文件：{e}：{}", path.display())))?,
            );
            let first = text.lines().next().unwrap_or("").to_owned();
            return nonempty(Passphrase::new(first));
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
        if !strength(p.as_str()).acceptable() {
            return Err(CliError("口令太短：至少 8 个字符".into()));
        }
        Ok(p)
    }

    fn line(&mut self, prompt: &str) -> Result<Passphrase, CliError> {
        if self.tty {
            let text = rpassword::prompt_password(prompt)
                .map_err(|e| CliError(format!("无法读取口令：{e}")))?;
            return nonempty(Passphrase::new(text));
        }
        let mut line = Zeroizing::new(String::new());
        let n = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError(format!("无法读取标准输入：{e}")))?;
        if n == 0 {
            return Err(CliError("标准输入中没有口令（需要一行口令）".into()));
        }
        let trimmed = line.trim_end_matches(['\n', '\r']).to_owned();
        nonempty(Passphrase::new(trimmed))
    }
}

fn nonempty(p: Passphrase) -> Result<Passphrase, CliError> {
    if p.is_empty() {
        Err(CliError("口令为空".into()))
    } else {
        Ok(p)
    }
}
