//! The `tidemark` command.

use std::process::ExitCode;

/// mimalloc returns freed memory to the system and keeps per-thread caches small, so a job's
/// resident memory follows what it holds rather than what it once held.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tidemark::cli::main()
}
