//! The `tidemark` command.

use std::process::ExitCode;

fn main() -> ExitCode {
    tidemark::cli::main()
}
