//! A bound on every response body, applied as it streams in and after decompression:
//! the generated `send()` reads a body whole, so without it a hostile or broken server
//! (a gzip bomb, an endless chunked answer) could take all the memory there is.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

/// The default bound on a JSON answer: a page of the largest listing is well under a
/// megabyte; sixteen leave room for servers that send more than asked.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// A response body ran past the configured limit; the call fails with
/// [`crate::Error::BodyTooLarge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyTooLarge {
    pub limit: u64,
}

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the answer is larger than the limit of {} bytes",
            self.limit
        )
    }
}

impl std::error::Error for BodyTooLarge {}

/// The limit found in an error's source chain, if the error is a body past it.
pub(crate) fn exceeded(error: &(dyn std::error::Error + 'static)) -> Option<u64> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(too_large) = error.downcast_ref::<BodyTooLarge>() {
            return Some(too_large.limit);
        }
        cause = error.source();
    }
    None
}

/// The response filter both generated clients run on every answer: its body, bounded.
pub(crate) fn filter(
    limit: u64,
) -> Arc<dyn Fn(reqwest::Response) -> reqwest::Response + Send + Sync> {
    Arc::new(move |response| {
        let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
        let body = reqwest::Body::wrap(Bounded {
            inner: body,
            remaining: limit,
            limit,
        });
        reqwest::Response::from(http::Response::from_parts(parts, body))
    })
}

/// A body that fails once more than `limit` bytes arrived, or at once when its
/// `Content-Length` already says so.
struct Bounded {
    inner: reqwest::Body,
    remaining: u64,
    limit: u64,
}

impl Body for Bounded {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let too_large = BodyTooLarge { limit: self.limit };
        if self.inner.size_hint().lower() > self.remaining {
            return Poll::Ready(Some(Err(Box::new(too_large))));
        }
        let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(Box::new(error)))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        if let Some(data) = frame.data_ref() {
            let len = data.len() as u64;
            if len > self.remaining {
                return Poll::Ready(Some(Err(Box::new(too_large))));
            }
            self.remaining -= len;
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: impl Into<reqwest::Body>) -> reqwest::Response {
        reqwest::Response::from(http::Response::new(body.into()))
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_whole() {
        let response = filter(5)(answer("hello"));
        assert_eq!(response.bytes().await.unwrap(), "hello");
    }

    #[tokio::test]
    async fn a_body_past_the_limit_fails_naming_it() {
        let response = filter(4)(answer("hello"));
        let error = response.bytes().await.unwrap_err();
        assert_eq!(exceeded(&error), Some(4));
    }

    #[tokio::test]
    async fn a_streamed_body_fails_as_soon_as_it_passes_the_limit() {
        // An endless stream: only the bound ends it.
        let chunks = futures::stream::repeat_with(|| {
            Ok::<_, std::io::Error>(Bytes::from_static(&[b' '; 1024]))
        });
        let response = filter(10 * 1024)(answer(reqwest::Body::wrap_stream(chunks)));
        let error = response.bytes().await.unwrap_err();
        assert_eq!(exceeded(&error), Some(10 * 1024));
    }

    #[test]
    fn other_errors_are_not_taken_for_a_large_body() {
        let error = std::io::Error::other("reset");
        assert_eq!(exceeded(&error), None);
    }
}
