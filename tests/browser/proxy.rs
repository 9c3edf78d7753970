//! A TCP proxy between the browser and examd that the test can cut and restore, as a candidate's
//! network would fail: while it is down every open connection is dropped and new ones are closed at
//! once, so the page's requests fail the way they do offline.

use std::sync::Arc;

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The proxy; `address` is what the browser opens.
pub struct Proxy {
    pub address: String,
    up: Arc<watch::Sender<bool>>,
}

impl Proxy {
    /// Listens on a free port and forwards to `target` (`127.0.0.1:port`).
    pub async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let up = Arc::new(watch::channel(true).0);
        let state = up.clone();
        actix_web::rt::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !*state.borrow() {
                    drop(client);
                    continue;
                }
                actix_web::rt::spawn(pipe(client, target.clone(), state.subscribe()));
            }
        });
        Proxy { address, up }
    }

    /// Cuts the network: drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    /// Restores it.
    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

async fn pipe(mut client: TcpStream, target: String, mut up: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(&target).await else { return };
    tokio::select! {
        _ = copy_bidirectional(&mut client, &mut server) => {}
        _ = up.wait_for(|up| !*up) => {}
    }
}
