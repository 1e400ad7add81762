//! The `hetao` binary: the CLI, or the desktop app when no subcommand is given.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = hetao_atlas::cli::Cli::parse();
    let code = match cli.command {
        Some(cmd) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match hetao_atlas::cli::run_command(&cmd, &mut out) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    2
                }
            }
        }
        None => match hetao_atlas::app::run(hetao_atlas::app::AppOptions {
            screenshot: cli.app.screenshot,
            size: cli.app.window_size,
            // `--open` files first, then the positional ones, each in the order given
            open: cli.app.open.into_iter().chain(cli.app.files).collect(),
            problems_log: cli.app.problems_log,
            frame_log: cli
                .app
                .frame_log
                .or_else(|| std::env::var_os("HETAO_FRAME_LOG").map(std::path::PathBuf::from)),
        }) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e:#}");
                1
            }
        },
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
