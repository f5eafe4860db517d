//! The command line as recorded in model cards and reports.

/// The command as a reader would retype it: `dermtone` and the arguments (the binary's own
/// path depends on the build folder, so it is left out).
pub fn command_line() -> String {
    std::iter::once("dermtone".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ")
}
