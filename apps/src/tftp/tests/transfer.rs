//! The transfer state machine alone, without hosts or sockets.

use super::*;
use core::time::Duration;
use stack::time::Instant;

const T0: Instant = Instant::ZERO;

fn start(options: &[TftpOption<'_>], mode: Mode, file: &[u8]) -> Result<Transfer, Refusal> {
    let request = Request {
        filename: b"f",
        mode,
        options: Options::from_list(options),
    };
    Transfer::start(&request, file, &TransferConfig::default())
}

/// Return the packet the transfer sends now, as text.
#[track_caller]
fn sent(transfer: &mut Transfer, now: Instant) -> String {
    let bytes = transfer.poll_transmit(now).expect("nothing to send");
    Packet::parse(bytes).unwrap().to_string()
}

#[test]
fn accepted_options_are_acknowledged_in_an_oack() {
    let options = [
        TftpOption::Windowsize(8),
        TftpOption::Blksize(9000),
        TftpOption::Other {
            name: b"x",
            value: b"y",
        },
        TftpOption::Timeout(3),
        TftpOption::Tsize(0),
    ];
    let mut transfer = start(&options, Mode::Octet, &[7; 3000]).unwrap();
    assert_eq!(
        sent(&mut transfer, T0),
        "TFTP OACK blksize 1468 timeout 3 tsize 3000"
    );
    assert_eq!((transfer.blksize(), transfer.blocks()), (1468, 3));
    // The client's timeout is the retransmission timeout.
    assert_eq!(transfer.poll_timeout(), Some(T0 + Duration::from_secs(3)));
    transfer.handle_packet(&Packet::Ack { block: 0 });
    assert_eq!(sent(&mut transfer, T0), "TFTP DATA block 1, 1468 bytes");
}

#[test]
fn only_ignored_options_mean_no_oack() {
    let mut transfer = start(&[TftpOption::Windowsize(4)], Mode::Octet, b"abc").unwrap();
    assert_eq!(sent(&mut transfer, T0), "TFTP DATA block 1, 3 bytes");
    transfer.handle_packet(&Packet::Ack { block: 1 });
    assert_eq!(transfer.state(), TransferState::Done);
    assert!(transfer.poll_transmit(T0).is_none());
    assert_eq!(transfer.poll_timeout(), None);
}

#[test]
fn duplicate_and_stale_acks_are_ignored() {
    let mut transfer = start(&[], Mode::Octet, &[1; 2000]).unwrap();
    sent(&mut transfer, T0);
    transfer.handle_packet(&Packet::Ack { block: 1 });
    assert_eq!(sent(&mut transfer, T0), "TFTP DATA block 2, 512 bytes");
    // RFC 1123 4.2.3.1: a duplicate ACK 1 must not send block 2 again.
    transfer.handle_packet(&Packet::Ack { block: 1 });
    transfer.handle_packet(&Packet::Ack { block: 9 });
    assert!(transfer.poll_transmit(T0).is_none());
    assert_eq!(transfer.state(), TransferState::Running);
}

#[test]
fn timeouts_retransmit_then_give_up() {
    let mut transfer = start(&[], Mode::Octet, b"x").unwrap();
    let first = transfer.poll_transmit(T0).unwrap().to_vec();
    let mut now = T0;
    // Too early: nothing.
    transfer.handle_timeout(now + Duration::from_millis(999));
    assert!(transfer.poll_transmit(now).is_none());
    for _ in 0..TransferConfig::default().retries {
        now = transfer.poll_timeout().unwrap();
        transfer.handle_timeout(now);
        assert_eq!(transfer.poll_transmit(now).unwrap(), first);
    }
    transfer.handle_timeout(transfer.poll_timeout().unwrap());
    assert_eq!(transfer.state(), TransferState::Failed(Failure::TimedOut));
    assert!(transfer.poll_transmit(now).is_none());
}

#[test]
fn block_numbers_wrap_after_65535() {
    let file = vec![0x42; 8 * 70_000 + 3];
    let mut transfer = start(&[TftpOption::Blksize(8)], Mode::Octet, &file).unwrap();
    sent(&mut transfer, T0);
    transfer.handle_packet(&Packet::Ack { block: 0 });
    let mut received = 0;
    let mut blocks = 0u64;
    while let Some(bytes) = transfer.poll_transmit(T0) {
        let Ok(Packet::Data { block, data }) = Packet::parse(bytes) else {
            panic!()
        };
        blocks += 1;
        assert_eq!(u64::from(block), blocks % 65536);
        received += data.len();
        transfer.handle_packet(&Packet::Ack { block });
    }
    assert_eq!((received, blocks), (file.len(), 70_001));
    assert_eq!(transfer.state(), TransferState::Done);
}

#[test]
fn an_error_or_a_stray_request_ends_the_transfer() {
    let mut transfer = start(&[TftpOption::Tsize(0)], Mode::Octet, b"abc").unwrap();
    sent(&mut transfer, T0);
    transfer.handle_packet(&Packet::Error {
        code: ErrorCode::OptionNegotiation,
        message: b"no",
    });
    let refused = Failure::PeerError(ErrorCode::OptionNegotiation);
    assert_eq!(transfer.state(), TransferState::Failed(refused));
    assert!(transfer.poll_transmit(T0).is_none());

    let mut transfer = start(&[], Mode::Octet, b"abc").unwrap();
    sent(&mut transfer, T0);
    transfer.handle_packet(&Packet::Data {
        block: 1,
        data: b"",
    });
    assert_eq!(
        sent(&mut transfer, T0),
        r#"TFTP ERROR 4 (illegal operation) "expected an ACK""#
    );
    assert_eq!(
        transfer.state(),
        TransferState::Failed(Failure::IllegalPacket)
    );
    assert_eq!(transfer.poll_timeout(), None);
}

#[test]
fn mail_mode_is_refused_for_reads() {
    let refusal = start(&[], Mode::Mail, b"").unwrap_err();
    assert_eq!(refusal.code, ErrorCode::IllegalOperation);
}

#[test]
fn netascii_translates_line_ends() {
    assert_eq!(netascii(b"a\nb\rc\r\n"), b"a\r\nb\r\0c\r\0\r\n");
    let transfer = start(&[], Mode::Netascii, b"\n\n").unwrap();
    assert_eq!(transfer.len(), 4);
}
