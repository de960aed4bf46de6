//! The `tidemark` command.

use std::process::ExitCode;

/// mimalloc serves the many short-lived Arrow buffers of a transform chunk with less
/// allocator time than the system allocator and hands freed memory back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tidemark::cli::main()
}
