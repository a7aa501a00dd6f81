#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    if let Err(e) = talkdeck::server::cli::run().await {
        eprintln!("talkdeck: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The WASM build's entry point is `talkdeck::hydrate`.
}
