//! `hsvc demo`: the embedded cluster DNS (the same server the tests use).

use std::io::Write;
use std::net::SocketAddr;

use crate::cli::DemoArgs;
use crate::exit::{Exit, Fail};
use crate::server::{self, Cluster, SharedZone};

pub async fn run(args: &DemoArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Exit, Fail> {
    let zone = SharedZone::from_cluster(&Cluster::example());
    serve(args.listen, zone, out, err).await
}

async fn serve(
    listen: SocketAddr,
    zone: SharedZone,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Fail> {
    let mut running = server::serve(listen, zone)
        .await
        .map_err(|e| Fail::usage(format!("cannot listen on {listen}: {e}")))?;
    let addr = running.addr;
    writeln!(
        out,
        "cluster DNS for the example cluster on {addr} (UDP and TCP); try:\n  \
         hsvc --server {addr} resolve web-headless.awx\nCtrl-C stops it."
    )
    .and_then(|_| out.flush())
    .map_err(super::io_fail)?;
    tokio::select! {
        r = running.block_until_done() => {
            r.map_err(|e| Fail::usage(format!("server stopped: {e}")))?;
        }
        _ = tokio::signal::ctrl_c() => {
            let _ = writeln!(err, "stopping");
            let _ = running.shutdown().await;
        }
    }
    Ok(Exit::Ok)
}
