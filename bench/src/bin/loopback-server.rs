//! `loopback-server --port N`: the minimal server every client is measured against.

use clap::Parser;

/// Fixed JSON answers for the four operations on 127.0.0.1.
#[derive(Parser)]
struct Args {
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8089)]
    port: u16,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    // One worker thread: the other core is left to the client under test.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
        println!("listening on http://127.0.0.1:{}", args.port);
        workspace_bench::serve_fixed(listener).await
    })
}
