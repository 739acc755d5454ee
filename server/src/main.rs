//! `safeguarding-server`: see `cli` for the commands.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    safeguarding_server::cli::run(safeguarding_server::cli::Cli::parse())
}
