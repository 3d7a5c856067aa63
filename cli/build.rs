//! Generates the CLI's subcommands from `spec/workspace.yaml` into `OUT_DIR`: one per
//! operation, run through the library's public API.

fn main() {
    workspace_codegen::build_script::generate_into_out_dir(
        "cli.rs",
        workspace_codegen::generate_cli_for_build,
    );
}
