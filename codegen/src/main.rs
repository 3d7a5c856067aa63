//! `workspace-codegen`: check the OpenAPI document or generate the client from it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Checks the Workspace OpenAPI document and generates its Rust client.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the document and generate in memory, reporting every problem (exit 1 when there are any).
    Check {
        /// The OpenAPI document (.yaml, .yml or .json).
        #[arg(long)]
        spec: PathBuf,
    },
    /// Check the document and write the generated Rust source.
    Generate {
        /// The OpenAPI document (.yaml, .yml or .json).
        #[arg(long)]
        spec: PathBuf,
        /// Where to write the Rust source.
        #[arg(long)]
        out: PathBuf,
        /// Generate a client without the hooks and inner type of `huaweicloud-workspace`.
        #[arg(long)]
        standalone: bool,
    },
}

/// Exit code when the document has problems (usage errors exit 2, from clap).
const EXIT_INVALID_DOCUMENT: u8 = 1;

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Check { spec } => workspace_codegen::load(&spec).and_then(|document| {
            workspace_codegen::generate(&document, &workspace_codegen::Settings::default())?;
            let operations = document.openapi.operations().count();
            println!("{}: OK ({operations} operations)", spec.display());
            Ok(())
        }),
        Command::Generate {
            spec,
            out,
            standalone,
        } => {
            let settings = if standalone {
                workspace_codegen::Settings::standalone()
            } else {
                workspace_codegen::Settings::default()
            };
            workspace_codegen::generate_file(&spec, &out, &settings)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(diagnostics) => {
            eprint!("{diagnostics}");
            ExitCode::from(EXIT_INVALID_DOCUMENT)
        }
    }
}
