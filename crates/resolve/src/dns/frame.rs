//! DNS over TCP framing (RFC 1035 §4.2.2): each message behind a two-byte
//! length, so a frame is at most 65,535 bytes by construction.

use std::io::ErrorKind;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::{io_failure, Failure, Malformed};

/// Appends `message` with its length prefix. Queries are far below 64 KiB.
pub fn push_frame(out: &mut Vec<u8>, message: &[u8]) {
    debug_assert!(message.len() <= usize::from(u16::MAX));
    out.extend_from_slice(&(message.len() as u16).to_be_bytes());
    out.extend_from_slice(message);
}

/// Reads length-prefixed messages from a stream.
///
/// Cancel-safe: a read interrupted by a timeout keeps what it has so far,
/// so the next call goes on with the same frame and the framing of the
/// stream stays intact. Only one frame is held at a time, in a buffer that
/// never grows past 65,535 bytes.
#[derive(Debug, Default)]
pub struct FrameReader {
    head: [u8; 2],
    head_len: usize,
    body: Vec<u8>,
    body_len: usize,
}

impl FrameReader {
    /// A reader at a frame boundary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether part of a frame has been read and the rest is still due.
    pub fn mid_frame(&self) -> bool {
        self.head_len == 1 || (self.head_len == 2 && self.body_len < self.body.len())
    }

    /// The next whole frame. The slice lives until the next call.
    pub async fn next<R: AsyncRead + Unpin>(&mut self, r: &mut R) -> Result<&[u8], Failure> {
        if self.head_len == 2 && self.body_len == self.body.len() {
            // The previous frame was handed out: start the next one.
            self.head_len = 0;
        }
        while self.head_len < 2 {
            let n = r
                .read(&mut self.head[self.head_len..])
                .await
                .map_err(io_failure)?;
            if n == 0 {
                return Err(if self.head_len == 0 {
                    Failure::Network("server closed the TCP connection without answering".into())
                } else {
                    Failure::Malformed(Malformed::ShortFrame)
                });
            }
            self.head_len += n;
            if self.head_len == 2 {
                self.body.clear();
                self.body
                    .resize(usize::from(u16::from_be_bytes(self.head)), 0);
                self.body_len = 0;
            }
        }
        while self.body_len < self.body.len() {
            let n = r
                .read(&mut self.body[self.body_len..])
                .await
                .map_err(|e| match e.kind() {
                    ErrorKind::UnexpectedEof => Failure::Malformed(Malformed::ShortFrame),
                    _ => io_failure(e),
                })?;
            if n == 0 {
                return Err(Failure::Malformed(Malformed::ShortFrame));
            }
            self.body_len += n;
        }
        Ok(&self.body)
    }
}

/// Reads one frame into a fresh buffer (for tests and one-off reads).
pub async fn read_frame<R: AsyncRead + Unpin>(r: &mut R) -> Result<Vec<u8>, Failure> {
    FrameReader::new().next(r).await.map(<[u8]>::to_vec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn frames_survive_a_read_cancelled_mid_frame() {
        let (mut a, mut b) = tokio::io::duplex(64);
        let mut r = FrameReader::new();
        let mut out = Vec::new();
        push_frame(&mut out, b"first message");
        push_frame(&mut out, b"second");
        // Half of the first frame, then a read that times out.
        a.write_all(&out[..7]).await.unwrap();
        let t = tokio::time::timeout(Duration::from_millis(20), r.next(&mut b)).await;
        assert!(t.is_err());
        assert!(r.mid_frame());
        a.write_all(&out[7..]).await.unwrap();
        assert_eq!(r.next(&mut b).await.unwrap(), b"first message");
        assert_eq!(r.next(&mut b).await.unwrap(), b"second");
        assert!(!r.mid_frame());
        drop(a);
        assert!(matches!(r.next(&mut b).await, Err(Failure::Network(_))));
    }

    #[tokio::test]
    async fn a_frame_cut_short_is_malformed() {
        let (mut a, mut b) = tokio::io::duplex(64);
        a.write_all(&[0, 200, 1, 2, 3]).await.unwrap();
        drop(a);
        assert_eq!(
            read_frame(&mut b).await.unwrap_err(),
            Failure::Malformed(Malformed::ShortFrame)
        );
        let (mut a, mut b) = tokio::io::duplex(64);
        a.write_all(&[0]).await.unwrap();
        drop(a);
        assert_eq!(
            read_frame(&mut b).await.unwrap_err(),
            Failure::Malformed(Malformed::ShortFrame)
        );
    }

    #[tokio::test]
    async fn the_buffer_is_the_frame_and_no_more() {
        let (mut a, mut b) = tokio::io::duplex(1 << 17);
        let big = vec![7u8; 65535];
        let mut out = Vec::new();
        push_frame(&mut out, &big);
        push_frame(&mut out, b"x");
        a.write_all(&out).await.unwrap();
        let mut r = FrameReader::new();
        assert_eq!(r.next(&mut b).await.unwrap().len(), 65535);
        assert_eq!(r.next(&mut b).await.unwrap(), b"x");
        assert!(r.body.capacity() <= 65535);
    }
}
