//! The `portal` command: runs the command line (`cli`) and prints what it says, or its error.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = portal::cli::Cli::parse();
    match portal::cli::run(cli) {
        Ok(out) => {
            println!("{out}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("portal: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
