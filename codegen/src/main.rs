//! `workspace-codegen`: check the OpenAPI document, or generate the client or the CLI from it.
//!
//! The arguments are few and fixed, so they are read by hand: no argument parser to compile.

use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:
  workspace-codegen check --spec FILE               check the document (exit 1 on problems)
  workspace-codegen generate --spec FILE --out FILE write the client's source
  workspace-codegen cli --spec FILE --out FILE      write the CLI's source
  workspace-codegen surface --spec FILE             print the API surface";

/// Exit code when the document has problems.
const EXIT_INVALID_DOCUMENT: u8 = 1;
/// Exit code of a usage error.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--version" || a == "-V") {
        println!("workspace-codegen {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let flag = |name: &str| {
        args.windows(2)
            .find(|pair| pair[0] == name)
            .map(|pair| PathBuf::from(&pair[1]))
    };
    let (Some(command), Some(spec)) = (args.first(), flag("--spec")) else {
        eprintln!("{USAGE}");
        return ExitCode::from(EXIT_USAGE);
    };
    let needs_out = matches!(command.as_str(), "generate" | "cli");
    let out = flag("--out");
    if needs_out && out.is_none() {
        eprintln!("{command} needs --out FILE\n{USAGE}");
        return ExitCode::from(EXIT_USAGE);
    }
    let result = workspace_codegen::load(&spec).and_then(|document| match command.as_str() {
        "check" => workspace_codegen::generate(&document).map(|_| {
            let operations = document.model().operations.len();
            println!("{}: OK ({operations} operations)", spec.display());
        }),
        "generate" => workspace_codegen::generate(&document).and_then(|source| {
            workspace_codegen::write_if_changed(&out.clone().unwrap_or_default(), &source)
        }),
        "cli" => workspace_codegen::generate_cli(&document).and_then(|source| {
            workspace_codegen::write_if_changed(&out.clone().unwrap_or_default(), &source)
        }),
        "surface" => workspace_codegen::generate_with_surface(&document)
            .map(|(_, surface)| print!("{surface}")),
        other => {
            eprintln!("unknown command {other:?}\n{USAGE}");
            std::process::exit(EXIT_USAGE.into());
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(diagnostics) => {
            eprint!("{diagnostics}");
            ExitCode::from(EXIT_INVALID_DOCUMENT)
        }
    }
}
