//! Slow and greedy clients (issue 11, finding 3): a deadline for reading a whole request body, and a
//! cap on the connections one client address may hold open. actix-web cuts off a client that is slow
//! to send its *headers* (`client_request_timeout_ms`), but not one that sends `Content-Length: 100`
//! and then one byte: that connection lived as long as the client liked, and 20,000 of them used every
//! file descriptor. Neither limit exists in actix itself, so both live here, in one place for every
//! route: the deadline wraps the request's payload before any extractor sees it (JSON bodies and the
//! raw bodies of imports alike), the cap counts connections as actix accepts them.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{Extensions, Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::Stream;

/// The message of the I/O error a body read fails with once its deadline has passed; the error
/// mapping recognises the timeout by its kind, [`io::ErrorKind::TimedOut`].
const TIMED_OUT: &str = "the request body was not received in time";

/// Whether a body read failed because its deadline passed.
pub fn is_body_timeout(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Io(io) if io.kind() == io::ErrorKind::TimedOut)
}

/// What a request's payload and its response share.
struct Shared {
    payload: RefCell<Payload>,
    /// The body was read to its end.
    finished: Cell<bool>,
}

/// A request payload that fails once `deadline` has passed without the body being complete.
struct Deadlined {
    shared: Rc<Shared>,
    deadline: Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl Stream for Deadlined {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        // The body first: a body already received in full (the usual case) never touches the
        // timer, so the hot path pays for no timer registration.
        let polled = Pin::new(&mut *self.shared.payload.borrow_mut()).poll_next(cx);
        match polled {
            Poll::Pending => {}
            Poll::Ready(None) => {
                self.shared.finished.set(true);
                return Poll::Ready(None);
            }
            ready => return ready,
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.expired = true;
                Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(io::ErrorKind::TimedOut, TIMED_OUT)))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Middleware: the whole body of a request must arrive within `timeout` of its headers. A read past
/// it fails, and the error mapping answers 408.
///
/// A response to a request whose body was not read to its end holds the payload until its own body
/// is sent. actix closes such a connection only while the payload still exists; once the handler
/// had dropped it, a chunked body was *drained* instead, with no deadline at all, so a client
/// trickling chunks at a route that answered early (or at its 408) held the connection open.
pub async fn body_deadline(
    timeout: Duration,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, HoldPayload<impl MessageBody>>>, actix_web::Error> {
    let shared = match req.take_payload() {
        Payload::None => return Ok(next.call(req).await?.map_into_left_body()),
        payload => Rc::new(Shared { payload: RefCell::new(payload), finished: Cell::new(false) }),
    };
    let deadline = Box::pin(tokio::time::sleep(timeout));
    let wrapped: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(Deadlined { shared: shared.clone(), deadline, expired: false });
    req.set_payload(Payload::from(wrapped));
    let res = next.call(req).await?;
    if shared.finished.get() {
        return Ok(res.map_into_left_body());
    }
    Ok(res.map_body(|_, body| EitherBody::right(HoldPayload { body: Box::pin(body), _payload: shared })))
}

/// A response body that keeps its request's unread payload alive until it is sent.
pub struct HoldPayload<B> {
    body: Pin<Box<B>>,
    _payload: Rc<Shared>,
}

impl<B: MessageBody> MessageBody for HoldPayload<B> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.body.as_mut().poll_next(cx)
    }
}

/// Counts open connections per client address and refuses those over `max` at accept, before a
/// byte of theirs is read: one client cannot hold every file descriptor, and the others keep being
/// served. The client address is the TCP peer, as for the login brake (forwarded headers are not
/// trusted); behind a proxy every client shares the proxy's allowance, so raise it there.
#[derive(Clone, Debug)]
pub struct ConnectionCap {
    max: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One admitted connection; dropped with the connection's data, it gives its slot back.
#[derive(Debug)]
struct Slot {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// What a refused connection reads before it is closed.
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
retry-after: 1\r\nconnection: close\r\ncontent-length: 171\r\n\r\n\
{\"type\":\"urn:examd:problem:unavailable\",\"title\":\"Service unavailable\",\"status\":503,\
\"detail\":\"too many open connections from your address\",\"code\":\"unavailable\",\"errors\":[]}";

impl ConnectionCap {
    /// A cap of `max` open connections per client address.
    pub fn new(max: usize) -> ConnectionCap {
        ConnectionCap { max, open: Arc::default() }
    }

    /// Takes a slot for `ip`, or `None` when it holds `max` connections already.
    fn admit(&self, ip: IpAddr) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Slot { ip, open: self.open.clone() })
    }

    /// How many connections `ip` holds open now.
    pub fn open_from(&self, ip: IpAddr) -> usize {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&ip).copied().unwrap_or(0)
    }

    /// For `HttpServer::on_connect`: admits the connection (its slot lives in the connection's data,
    /// so it is given back when actix drops the connection), or answers 503 and shuts the socket, which
    /// ends the connection at actix's first read.
    pub fn on_connect(&self, io: &dyn Any, data: &mut Extensions) {
        let Some(stream) = io.downcast_ref::<actix_web::rt::net::TcpStream>() else { return };
        let Ok(peer) = stream.peer_addr() else { return };
        match self.admit(peer.ip()) {
            Some(slot) => {
                data.insert(slot);
            }
            None => {
                tracing::warn!(client = %peer.ip(), max = self.max, "connection refused: too many open from this address");
                // Straight to the socket: tokio's `try_write` refuses until the stream has been polled
                // once. A fresh socket's send buffer takes these few bytes at once.
                let socket = socket2::SockRef::from(stream);
                let _ = socket.send(REFUSED);
                let _ = socket.shutdown(std::net::Shutdown::Both);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_address_and_given_back() {
        let cap = ConnectionCap::new(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = cap.admit(a).unwrap();
        let _second = cap.admit(a).unwrap();
        assert!(cap.admit(a).is_none(), "a third connection from one address is refused");
        assert!(cap.admit(b).is_some(), "another address is not affected");
        drop(first);
        assert_eq!(cap.open_from(a), 1);
        assert!(cap.admit(a).is_some(), "a closed connection frees its slot");
    }

    #[test]
    fn the_refusal_is_a_well_formed_problem() {
        let text = std::str::from_utf8(REFUSED).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 503);
    }
}
