//! Baomi's entry point: no subcommand starts the GUI; otherwise one CLI command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    baomi::process::mark_start();
    for problem in baomi::process::harden() {
        eprintln!("警告：{problem}");
    }
    let cli = baomi::cli::Cli::parse();
    match &cli.command {
        None => {
            let dir = cli
                .vault
                .clone()
                .unwrap_or_else(baomi::cli::default_vault_dir);
            match baomi::ui::run_native(dir) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("错误：{e}");
                    ExitCode::from(1)
                }
            }
        }
        Some(command) => match baomi::cli::run(&cli, command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.is_output_closed() => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("错误：{}", e.0);
                ExitCode::from(1)
            }
        },
    }
}
