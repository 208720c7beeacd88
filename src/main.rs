//! The `jiangxin` binary; see `jiangxin --help`.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = jiangxin::cli::Cli::parse();
    match jiangxin::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jiangxin: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
