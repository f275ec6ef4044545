//! One read transfer, sans-IO: the server's side of RRQ → (OACK → ACK 0)
//! → DATA n → ACK n, lock-step (RFC 1350 2), with option negotiation
//! (RFC 2347–2349) and retransmission on timeout only.
//!
//! The transfer is told what arrived ([`Transfer::handle_packet`]) and when
//! time passes ([`Transfer::handle_timeout`]); it answers with the packet
//! to send ([`Transfer::poll_transmit`]) and the instant it wants to be
//! woken ([`Transfer::poll_timeout`]). Polling order: handle what arrived,
//! handle the timeout if due, then poll_transmit.

use core::time::Duration;

use stack::host::SocketError;
use stack::time::Instant;

use super::DEFAULT_BLKSIZE;
use super::{ErrorCode, Mode, Options, Packet, Request, TftpOption, BLKSIZE_RANGE};

/// What a server accepts and how hard it tries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferConfig {
    /// The largest block size granted; a larger blksize request is answered
    /// with this one (RFC 2348: "the server may reply with a smaller
    /// value"). 1468 fills a 1500-byte MTU under IPv4 and UDP headers.
    pub max_blksize: u16,
    /// The retransmission timeout when the client names none (RFC 2349).
    pub timeout: Duration,
    /// How many times a packet is sent again before the transfer fails.
    pub retries: u32,
}

impl Default for TransferConfig {
    fn default() -> TransferConfig {
        TransferConfig {
            max_blksize: 1468,
            timeout: Duration::from_secs(1),
            retries: 5,
        }
    }
}

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferState {
    /// Blocks remain to be sent or acknowledged.
    Running,
    /// The last block was acknowledged.
    Done,
    /// The transfer ended early.
    Failed(Failure),
}

/// Why a transfer ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No acknowledgment after every retransmission.
    TimedOut,
    /// The client sent an ERROR (for instance 8, refusing the OACK).
    PeerError(ErrorCode),
    /// The client sent something other than an ACK or an ERROR; the
    /// transfer answered with ERROR 4.
    IllegalPacket,
    /// The network reported the client unreachable (an ICMP error).
    Network(SocketError),
}

/// A refused request: the ERROR to answer it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The error code.
    pub code: ErrorCode,
    /// The message.
    pub message: &'static str,
}

/// A read transfer in progress.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// The bytes sent: the file, translated to netascii if asked.
    data: Vec<u8>,
    blksize: usize,
    timeout: Duration,
    retries: u32,
    retries_left: u32,
    /// The block awaiting its ACK: 0 for the OACK, then 1, 2, ...
    /// (counted in full; the wire number wraps at 65536).
    block: u64,
    /// The last packet sent, kept for retransmission.
    last: Vec<u8>,
    /// Whether `last` is to be sent at the next poll.
    pending: bool,
    deadline: Option<Instant>,
    state: TransferState,
}

impl Transfer {
    /// Start serving `file` to a read request: negotiate its options and
    /// queue the first packet (an OACK if any option was accepted, else
    /// DATA 1).
    ///
    /// Refuses mail mode (RFC 1350 5: only for writes) with ERROR 4.
    /// Options: blksize is granted up to `config.max_blksize`; timeout is
    /// granted as asked; tsize 0 is answered with the size sent; others,
    /// windowsize included, are left out of the OACK (RFC 2347: ignored).
    pub fn start(
        request: &Request<'_>,
        file: &[u8],
        config: &TransferConfig,
    ) -> Result<Transfer, Refusal> {
        let data = match request.mode {
            Mode::Octet => file.to_vec(),
            Mode::Netascii => netascii(file),
            Mode::Mail => {
                return Err(Refusal {
                    code: ErrorCode::IllegalOperation,
                    message: "mail mode is for writes",
                })
            }
        };
        let mut accepted = Vec::new();
        let mut blksize = DEFAULT_BLKSIZE;
        let mut timeout = config.timeout;
        for option in request.options.iter() {
            match option {
                TftpOption::Blksize(asked) => {
                    let granted = asked
                        .min(config.max_blksize)
                        .max(*BLKSIZE_RANGE.start() as u16);
                    blksize = usize::from(granted);
                    accepted.push(TftpOption::Blksize(granted));
                }
                TftpOption::Timeout(secs) => {
                    timeout = Duration::from_secs(secs.into());
                    accepted.push(option);
                }
                TftpOption::Tsize(_) => accepted.push(TftpOption::Tsize(data.len() as u64)),
                TftpOption::Windowsize(_) | TftpOption::Other { .. } => {}
            }
        }
        let mut transfer = Transfer {
            data,
            blksize,
            timeout,
            retries: config.retries,
            retries_left: config.retries,
            block: 0,
            last: Vec::new(),
            pending: false,
            deadline: None,
            state: TransferState::Running,
        };
        if accepted.is_empty() {
            transfer.send_block(1);
        } else {
            transfer.queue(&Packet::Oack(Options::from_list(&accepted)));
        }
        Ok(transfer)
    }

    /// Return the block size in use.
    pub fn blksize(&self) -> usize {
        self.blksize
    }

    /// Return the number of bytes the transfer sends.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Return whether the transfer sends no bytes (one empty DATA block).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Return the number of DATA blocks: the last is shorter than the block
    /// size, empty if the size is a multiple of it (RFC 1350 6).
    pub fn blocks(&self) -> u64 {
        (self.data.len() / self.blksize) as u64 + 1
    }

    /// Return where the transfer stands.
    pub fn state(&self) -> TransferState {
        self.state
    }

    /// Take in a packet from the client.
    ///
    /// The ACK of the block awaited sends the next block (or ends the
    /// transfer after the last). Any other ACK, a duplicate above all, is
    /// ignored: answering it would send every block twice from then on, the
    /// Sorcerer's Apprentice bug (RFC 1123 4.2.3.1). An ERROR ends the
    /// transfer; anything else is answered with ERROR 4 and ends it too.
    pub fn handle_packet(&mut self, packet: &Packet<'_>) {
        if self.state != TransferState::Running {
            return;
        }
        match *packet {
            // The wire block number is the low 16 bits of the count.
            Packet::Ack { block } if u64::from(block) == self.block & 0xffff => {
                if self.block == self.blocks() {
                    self.finish(TransferState::Done);
                } else {
                    self.send_block(self.block + 1);
                }
            }
            Packet::Ack { .. } => {}
            Packet::Error { code, .. } => {
                self.finish(TransferState::Failed(Failure::PeerError(code)))
            }
            _ => {
                self.queue(&Packet::Error {
                    code: ErrorCode::IllegalOperation,
                    message: b"expected an ACK",
                });
                self.finish(TransferState::Failed(Failure::IllegalPacket));
            }
        }
    }

    /// Return when the transfer wants [`handle_timeout`](Self::handle_timeout):
    /// the retransmission deadline of the packet last sent, if one is awaited.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    /// Retransmit the last packet if its deadline has passed, or fail the
    /// transfer when no retries are left.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state != TransferState::Running || self.deadline.is_none_or(|d| d > now) {
            return;
        }
        if self.retries_left == 0 {
            self.finish(TransferState::Failed(Failure::TimedOut));
            return;
        }
        self.retries_left -= 1;
        self.pending = true;
    }

    /// End the transfer for a reason found outside it (a network error).
    pub fn abort(&mut self, failure: Failure) {
        if self.state == TransferState::Running {
            self.finish(TransferState::Failed(failure));
        }
    }

    /// Return the packet to send now, if any; sending it arms the
    /// retransmission timer.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<&[u8]> {
        if !self.pending {
            return None;
        }
        self.pending = false;
        if self.state == TransferState::Running {
            self.deadline = Some(now + self.timeout);
        }
        Some(&self.last)
    }

    /// Queue DATA `block` and await its ACK.
    fn send_block(&mut self, block: u64) {
        let start = usize::try_from(block - 1)
            .unwrap_or(usize::MAX)
            .saturating_mul(self.blksize);
        let data = self.data.get(start..).unwrap_or_default();
        let data = &data[..data.len().min(self.blksize)];
        let packet = Packet::Data {
            block: block as u16,
            data,
        };
        let mut bytes = vec![0; packet.buffer_len()];
        // NOTE: a DATA packet always emits into its buffer_len.
        let _ = packet.emit(&mut bytes);
        self.last = bytes;
        self.block = block;
        self.retries_left = self.retries;
        self.pending = true;
    }

    /// Queue `packet` (an OACK or an ERROR) for sending.
    fn queue(&mut self, packet: &Packet<'_>) {
        let mut bytes = vec![0; packet.buffer_len()];
        // NOTE: the OACKs and ERRORs built here always emit; were one not
        // to, sending nothing lets the client time out.
        if packet.emit(&mut bytes).is_ok() {
            self.last = bytes;
            self.pending = true;
        }
    }

    /// End the transfer.
    fn finish(&mut self, state: TransferState) {
        self.state = state;
        self.deadline = None;
    }
}

/// Translate a file to netascii (RFC 764, RFC 1350 1): LF becomes CR LF and
/// a bare CR becomes CR NUL.
pub fn netascii(file: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(file.len() + file.len() / 16);
    for &byte in file {
        match byte {
            b'\n' => out.extend_from_slice(b"\r\n"),
            b'\r' => out.extend_from_slice(b"\r\0"),
            other => out.push(other),
        }
    }
    out
}
