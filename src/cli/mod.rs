//! The command line: `baomi` alone starts the GUI; `baomi --vault DIR <command>` runs one
//! administrative command. Exit codes: 0 ok, 1 failure, 2 usage. Every error is one line.

/// Writes a line to standard output (like `println!`). A closed pipe (`baomi list … | head`)
/// is not an error to report: the command stops, locks the ledger as usual and the process
/// ends quietly ([`CliError::is_output_closed`]).
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::write_line(format_args!($($t)*)) };
}

mod add_user;
mod audit;
mod backup;
mod carriers;
mod check;
pub mod demo;
mod init;
mod passwd;
mod registers;
mod rekey;
mod secret_input;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::domain::Role;

/// Default vault folder: `<user data folder>/baomi/vault` (e.g. `~/.local/share/baomi/vault`).
pub fn default_vault_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("baomi")
        .join("vault")
}

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "baomi",
    version,
    about = "保密台账 Baomi：党办保密管理台账（无子命令时启动图形界面）",
    after_help = "口令的读取:在终端上用不回显的提示输入;否则读标准输入的第一行;\
                  或用 --passphrase-file 从文件读第一行。\n\
                  init 与 passwd 在非终端下:标准输入第一行是新口令。"
)]
pub struct Cli {
    /// The vault folder (default: the user's data folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub vault: Option<PathBuf>,
    /// Read the (current) passphrase from the first line of this file.
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// The acting user's login (default: the first user, the custodian).
    #[arg(long = "as", global = true, value_name = "LOGIN")]
    pub acting: Option<String>,
    /// The command; none starts the GUI.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Administrative commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a vault; the first user is the custodian (保密员). Prints the recovery key once.
    Init {
        /// The unit's name (单位名称).
        #[arg(long)]
        unit: String,
        /// The first user's login.
        #[arg(long)]
        user: String,
        /// The first user's full name (姓名).
        #[arg(long)]
        name: String,
        /// Department (部门).
        #[arg(long, default_value = "")]
        department: String,
        /// Post (职务).
        #[arg(long, default_value = "保密员")]
        post: String,
        /// The office's time zone as a UTC offset (dates, due dates and 文号 years follow it).
        #[arg(long, default_value = "+08:00", value_name = "±HH:MM")]
        utc_offset: String,
        /// A demo vault for trials and benchmarks: only such a vault takes `demo` data.
        #[arg(long)]
        demo: bool,
    },
    /// Unlock and verify every page's HMAC, the database structure and the audit chain.
    Check,
    /// 安全审计员：封存（seal）、核验（verify）、导出（export --out FILE）审计链
    Audit {
        #[command(subcommand)]
        action: audit::AuditCommand,
    },
    /// 更换恢复密钥：旧的恢复密钥立即失效，新的只显示这一次（例如创建台账库时恢复密钥未能显示或已遗失）
    RotateRecoveryKey,
    /// 重新加密台账（更换主密钥）：停用账户或更换恢复密钥之后，使旧密钥文件失效；本人口令之外，--typed 的账户由本人输入口令，其余发一次性口令
    Rekey {
        /// An account whose owner types their passphrase now (repeat for several).
        #[arg(long, value_name = "LOGIN")]
        typed: Vec<String>,
    },
    /// 预写日志（WAL）损坏后，放弃损坏点之后的事务：先把数据库和日志原样另存，再把日志截到最后一个完好的事务，解锁并记入审计日志
    AcceptWalDamage,
    /// 备份台账：加密写入移动介质上的文件夹（或 .baomi-backup 文件），读回全部校验后记入台账
    Backup {
        /// A folder (the file is named after the unit, date and time) or a file path.
        #[arg(long, value_name = "DIR_OR_FILE")]
        to: std::path::PathBuf,
        /// Write to a place that is not a removable medium (an explicit decision).
        #[arg(long)]
        allow_fixed_disk: bool,
    },
    /// 校验备份文件：用备份时有效的口令或恢复密钥（标准输入）解密全部内容并核对清单，打印清单与 verified
    VerifyBackup {
        /// The backup file.
        file: std::path::PathBuf,
        /// Whose passphrase (default: tried on every account of the backup; a recovery key is
        /// recognised by its form).
        #[arg(long)]
        user: Option<String>,
        /// The manifest as JSON.
        #[arg(long)]
        json: bool,
    },
    /// 从备份恢复到一个新的台账库文件夹（先完整校验；已有台账库的文件夹须加 --replace，原库先改名另存）
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
        /// The vault folder to create.
        #[arg(long, value_name = "DIR")]
        to: std::path::PathBuf,
        /// Replace a vault in that folder (it is moved aside first, named and dated).
        #[arg(long)]
        replace: bool,
        /// Whose passphrase (default: every account is tried; or the recovery key).
        #[arg(long)]
        user: Option<String>,
    },
    /// 列出可写入备份的磁盘（移动介质在前）与剩余空间
    Drives,
    /// Change a user's passphrase (default: the acting user's).
    Passwd {
        /// Whose passphrase.
        #[arg(long)]
        user: Option<String>,
    },
    /// Fill a demo vault (`init --demo`) with realistic synthetic data; a real ledger refuses.
    Demo {
        /// How many documents.
        #[arg(long, default_value_t = 1000)]
        documents: u32,
        /// Documents per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: u32,
    },
    /// Print the number of rows in each register.
    Stats {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// List a register's rows: documents, people, cabinets, users, borrows, backups,
    /// destructions, stocktakes, incidents, holds.
    List {
        /// Which register.
        register: String,
        /// borrows: only those out past their due date.
        #[arg(long)]
        overdue: bool,
        /// JSON output: an array of objects, each with an `id` that `show` accepts.
        #[arg(long)]
        json: bool,
    },
    /// The due date the borrowing policy and the working-day calendar give (YYYY-MM-DD).
    DueDate {
        /// The level: 绝密 机密 秘密 内部敏感 (or juemi jimi mimi neibu).
        #[arg(long)]
        level: String,
        /// The day of borrowing, YYYY-MM-DD, or `today` (the office's date).
        #[arg(long)]
        from: String,
        /// Working days (default: the policy's longest period for the level).
        #[arg(long)]
        days: Option<u32>,
    },
    /// Print a form: `borrow-form borrow-N` (《文件借阅申请表》), `labels doc-N` (QR labels
    /// of the copies), `destruction-list destruction-N` (《涉密载体销毁清单》) or
    /// `stocktake-report stocktake-N` (《涉密载体清查报告》), to a PDF file (`--out`) or the
    /// default printer (`--printer`). Audited once the file is written or the printer took it.
    Print {
        /// Which form: borrow-form, labels, destruction-list, stocktake-report, or register (a
        /// whole list, A4 landscape).
        kind: String,
        /// The record's id, e.g. borrow-3 or doc-5 (from `list --json`); for `register`, which
        /// one: documents, borrows, people, cabinets, audit, cabinet-N.
        id: String,
        /// The PDF file to write.
        #[arg(long, conflicts_with = "printer")]
        out: Option<PathBuf>,
        /// Send it to the default printer (CUPS).
        #[arg(long)]
        printer: bool,
    },
    /// Export a register as an inspector's table: .xlsx, CSV (UTF-8 with BOM) or an A4
    /// landscape PDF; the same filters as `list`. Audited.
    Export {
        /// documents, borrows, people, cabinets, audit, or cabinet-N (the copies held in it).
        register: String,
        /// xlsx, csv or pdf.
        #[arg(long, value_parser = ["xlsx", "csv", "pdf"])]
        format: String,
        /// The file to write (created 0600; an existing one is replaced).
        #[arg(long)]
        out: PathBuf,
        /// borrows: only those out past their due date.
        #[arg(long)]
        overdue: bool,
        /// documents: only those the search finds.
        #[arg(long)]
        search: Option<String>,
    },
    /// Search the ledger (title, 文号, receipt number, issuing unit, remarks); ranked, paged.
    Search {
        /// The text (any Chinese substring; several words must all match).
        text: String,
        /// Which page of results.
        #[arg(long, default_value_t = 1)]
        page: usize,
        /// Results per page.
        #[arg(long, default_value_t = 50)]
        per_page: usize,
        /// JSON output: {"total", "page", "per_page", "rows": [… each with an `id`]}.
        #[arg(long)]
        json: bool,
    },
    /// Show a record by its id from `list --json`: a document with its copies (`doc-N`), a
    /// copy's history (`copy-N`), `borrow-N`, `person-N`, `destruction-N`, `stocktake-N`,
    /// `incident-N`, `hold-N`.
    Show {
        /// The id from `list --json`.
        id: String,
    },
    /// 变更用户角色（系统管理员，或兼任管理职责的保密员；记入审计日志）
    SetRole {
        /// Whose role.
        #[arg(long)]
        user: String,
        /// The new role: custodian, head, dept_head, auditor, admin (or the Chinese name).
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Add a user account with its own passphrase.
    AddUser {
        /// The new login.
        #[arg(long)]
        user: String,
        /// Full name (姓名) of a person not yet in the register (one is added).
        #[arg(long, required_unless_present = "person", conflicts_with = "person")]
        name: Option<String>,
        /// The number (编号) of a person already in the register (see `list people`): the
        /// account is opened for them, no second person is added.
        #[arg(long)]
        person: Option<i64>,
        /// Role: custodian, head, dept_head, auditor, admin (or the Chinese name).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Department (部门).
        #[arg(long, default_value = "")]
        department: String,
        /// Post (职务).
        #[arg(long, default_value = "")]
        post: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::from_code(s).ok_or_else(|| {
        let all: Vec<String> = Role::ALL
            .iter()
            .map(|r| format!("{} ({})", r.code(), r.label_zh()))
            .collect();
        format!("未知角色 {s}；可选：{}", all.join(", "))
    })
}

/// A failed command: one line for the user.
#[derive(Debug)]
pub struct CliError(pub String);

/// The text of [`CliError::output_closed`]; never shown.
const OUTPUT_CLOSED: &str = "\u{0}stdout closed";

impl CliError {
    /// Standard output was closed by the reader (a broken pipe).
    pub fn output_closed() -> Self {
        CliError(OUTPUT_CLOSED.into())
    }

    /// Whether this is [`CliError::output_closed`]: the process ends quietly.
    pub fn is_output_closed(&self) -> bool {
        self.0 == OUTPUT_CLOSED
    }
}

/// See [`out!`].
pub(crate) fn write_line(args: std::fmt::Arguments<'_>) -> Result<(), CliError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{args}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(CliError::output_closed()),
        Err(e) => Err(CliError(format!("无法写出结果：{e}"))),
    }
}

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Runs a command. The caller prints the error and exits 1.
pub fn run(cli: &Cli, command: &Command) -> Result<(), CliError> {
    let dir = cli.vault.clone().unwrap_or_else(default_vault_dir);
    let mut input = secret_input::SecretInput::new(cli.passphrase_file.clone());
    match command {
        Command::Init {
            unit,
            user,
            name,
            department,
            post,
            utc_offset,
            demo,
        } => init::run(
            &dir,
            &mut input,
            &crate::ledger::SetupInput {
                unit_name: unit.clone(),
                login: user.clone(),
                name: name.clone(),
                department: department.clone(),
                post: post.clone(),
                zone: crate::domain::OfficeZone::parse(utc_offset)
                    .map_err(|e| CliError(format!("--utc-offset：{e}")))?,
                demo: *demo,
            },
        ),
        Command::Check => check::run(&dir, &mut input, cli.acting.as_deref()),
        Command::Audit { action } => audit::run(&dir, &mut input, cli.acting.as_deref(), action),
        Command::Rekey { typed } => rekey::run(&dir, &mut input, cli.acting.as_deref(), typed),
        Command::RotateRecoveryKey => {
            passwd::rotate_recovery_key(&dir, &mut input, cli.acting.as_deref())
        }
        Command::AcceptWalDamage => {
            check::accept_wal_damage(&dir, &mut input, cli.acting.as_deref())
        }
        Command::Backup {
            to,
            allow_fixed_disk,
        } => backup::backup(
            &dir,
            &mut input,
            cli.acting.as_deref(),
            to,
            *allow_fixed_disk,
        ),
        Command::VerifyBackup { file, user, json } => {
            backup::verify(&mut input, file, user.as_deref(), *json)
        }
        Command::Restore {
            file,
            to,
            replace,
            user,
        } => backup::restore(&mut input, file, to, *replace, user.as_deref()),
        Command::Drives => backup::drives(),
        Command::Passwd { user } => {
            passwd::run(&dir, &mut input, cli.acting.as_deref(), user.as_deref())
        }
        Command::Demo { documents, batch } => {
            demo::run(&dir, &mut input, cli.acting.as_deref(), *documents, *batch)
        }
        Command::Stats { json } => registers::stats(&dir, &mut input, cli.acting.as_deref(), *json),
        Command::List {
            register,
            overdue,
            json,
        } => registers::list(
            &dir,
            &mut input,
            cli.acting.as_deref(),
            register,
            *overdue,
            *json,
        ),
        Command::DueDate { level, from, days } => {
            registers::due_date(&dir, &mut input, cli.acting.as_deref(), level, from, *days)
        }
        Command::Print {
            kind,
            id,
            out,
            printer,
        } => {
            let target = match (out, printer) {
                (Some(path), false) => crate::ledger::printing::PrintTarget::File(path.clone()),
                (None, true) => crate::ledger::printing::PrintTarget::Printer,
                _ => return Err(CliError("请用 --out FILE 或 --printer 指定打印去向".into())),
            };
            if kind == "register" {
                registers::print_register(&dir, &mut input, cli.acting.as_deref(), id, &target)
            } else {
                registers::print_form(&dir, &mut input, cli.acting.as_deref(), kind, id, &target)
            }
        }
        Command::Export {
            register,
            format,
            out,
            overdue,
            search,
        } => registers::export(
            &dir,
            &mut input,
            cli.acting.as_deref(),
            &registers::RegisterArgs {
                name: register,
                overdue: *overdue,
                search: search.as_deref(),
            },
            format,
            out,
        ),
        Command::Search {
            text,
            page,
            per_page,
            json,
        } => registers::search(
            &dir,
            &mut input,
            cli.acting.as_deref(),
            text,
            *page,
            *per_page,
            *json,
        ),
        Command::Show { id } => registers::show(&dir, &mut input, cli.acting.as_deref(), id),
        Command::SetRole { user, role } => {
            let mut s = open_session(&dir, &mut input, cli.acting.as_deref())?;
            let result = crate::ledger::users::change_role(&mut s, user, *role);
            drop(s.lock("cli"));
            result?;
            out!("已将 {user} 的角色改为{}", role.label_zh())
        }
        Command::AddUser {
            user,
            name,
            person,
            role,
            department,
            post,
        } => add_user::run(
            &dir,
            &mut input,
            cli.acting.as_deref(),
            &add_user::Args {
                login: user,
                who: match (person, name) {
                    (Some(id), _) => add_user::Who::Person(*id),
                    (None, name) => add_user::Who::New {
                        name: name.as_deref().unwrap_or(""),
                        department,
                        post,
                    },
                },
                role: *role,
            },
        ),
    }
}

/// The acting login: `--as`, else the first passphrase slot (the custodian made by `init`).
fn acting_login(logins: Vec<String>, acting: Option<&str>) -> Result<String, CliError> {
    match acting {
        Some(l) => Ok(l.to_owned()),
        None => logins
            .into_iter()
            .next()
            .ok_or_else(|| CliError("密钥文件中没有用户".into())),
    }
}

/// Opens the ledger in `dir` and unlocks it as the acting user (passphrase from the prompt,
/// standard input or `--passphrase-file`).
fn open_session(
    dir: &std::path::Path,
    input: &mut secret_input::SecretInput,
    acting: Option<&str>,
) -> Result<crate::ledger::Session, CliError> {
    let locked = crate::ledger::LockedLedger::open(dir)?;
    let login = acting_login(locked.logins(), acting)?;
    let passphrase = input.current(&format!("{login} 的口令："))?;
    locked
        .unlock(
            &login,
            &passphrase,
            std::sync::Arc::new(crate::domain::SystemClock),
        )
        .map_err(|(_, e)| CliError(e.to_string()))
}
