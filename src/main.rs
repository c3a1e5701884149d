//! The `pilot` command: parses arguments and hands over to the library.

fn main() {
    std::process::exit(pilot::cli::main());
}
