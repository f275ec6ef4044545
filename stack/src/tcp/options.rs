//! Option negotiation: MSS (RFC 9293 3.7.1), Window Scale and Timestamps
//! with PAWS (RFC 7323), SACK-Permitted (RFC 2018).

use core::time::Duration;

use super::SeqNumber;
use crate::time::Instant;
use crate::wire::tcp::{SackBlocks, TcpOption, TcpOptions, TcpRepr, Timestamps};

/// The send MSS assumed when the peer's SYN has no MSS option: 536 for IPv4
/// (RFC 9293 3.7.1, MUST-15).
pub const DEFAULT_MSS: u16 = 536;

/// The largest shift count used (RFC 7323 2.3).
pub const MAX_WINDOW_SHIFT: u8 = 14;

/// How long TS.Recent stays valid on an idle connection (RFC 7323 5.5: 24 days).
pub const TS_RECENT_LIFETIME: Duration = Duration::from_secs(24 * 24 * 60 * 60);

/// The options we put on our SYN or SYN,ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynOffer {
    /// The MSS we announce (always sent, MAY-3, SHLD-5).
    pub mss: u16,
    /// SACK-Permitted.
    pub sack: bool,
    /// Timestamps, with TSval and TSecr.
    pub timestamps: Option<Timestamps>,
    /// Our window scale shift, if offered.
    pub window_shift: Option<u8>,
}

impl SynOffer {
    /// Return the options in Linux's layout, so traces compare byte for byte:
    /// `mss, sackOK, TS, nop, wscale` or `mss, nop, nop, sackOK, nop, wscale`.
    pub fn to_options(self) -> TcpOptions {
        let mut list: [Option<TcpOption<'static>>; 8] = [None; 8];
        let mut n = 0;
        let mut push = |o| {
            list[n] = Some(o);
            n += 1;
        };
        push(TcpOption::MaxSegmentSize(self.mss));
        match (self.sack, self.timestamps) {
            (true, Some(ts)) => {
                push(TcpOption::SackPermitted);
                push(TcpOption::Timestamps(ts));
            }
            (true, None) => {
                push(TcpOption::NoOperation);
                push(TcpOption::NoOperation);
                push(TcpOption::SackPermitted);
            }
            (false, Some(ts)) => {
                push(TcpOption::NoOperation);
                push(TcpOption::NoOperation);
                push(TcpOption::Timestamps(ts));
            }
            (false, None) => {}
        }
        if let Some(shift) = self.window_shift {
            push(TcpOption::NoOperation);
            push(TcpOption::WindowScale(shift));
        }
        let mut options = TcpOptions::new();
        for option in list.into_iter().flatten() {
            // NOTE(unwrap): at most 20 bytes of well-formed options.
            options.push(option).unwrap();
        }
        options
    }
}

/// Return the options of a non-SYN segment: `nop, nop, TS` and
/// `nop, nop, sack ...` as negotiated; never an MSS option (MUST-65).
#[inline]
pub fn segment_options(ts: Option<Timestamps>, sack: Option<SackBlocks>) -> TcpOptions {
    // Inlined, so that the usual options are built where the caller keeps
    // them rather than returned and copied.
    if let (Some(ts), None) = (ts, sack) {
        return TcpOptions::nop_nop_timestamps(ts);
    }
    options_with_sack(ts, sack)
}

/// [`segment_options`] when there are SACK blocks, or no timestamps.
fn options_with_sack(ts: Option<Timestamps>, sack: Option<SackBlocks>) -> TcpOptions {
    let mut options = TcpOptions::new();
    if let Some(ts) = ts {
        // NOTE(unwrap): 12 bytes always fit.
        options.push(TcpOption::NoOperation).unwrap();
        options.push(TcpOption::NoOperation).unwrap();
        options.push(TcpOption::Timestamps(ts)).unwrap();
    }
    if let Some(blocks) = sack {
        let room = 40 - options.len();
        let fit = (room - 4) / 8;
        let blocks = &blocks.as_slice()[..blocks.as_slice().len().min(fit)];
        if let Some(blocks) = SackBlocks::new(blocks) {
            // NOTE(unwrap): `fit` blocks plus two NOPs fit in `room`.
            options.push(TcpOption::NoOperation).unwrap();
            options.push(TcpOption::NoOperation).unwrap();
            options.push(TcpOption::Sack(blocks)).unwrap();
        }
    }
    options
}

/// The kind of the No-Operation option (RFC 9293 3.2).
const NOP: u8 = 1;
/// The kind of the Timestamps option (RFC 7323 3.2).
const TIMESTAMPS: u8 = 8;

/// Return a received segment's Timestamps option, as
/// [`TcpRepr::timestamps`] does, reading the usual `nop, nop, TS` layout
/// (RFC 7323 Appendix A) straight from the bytes: that walk of the options
/// runs two or three times per segment.
pub fn timestamps_of(seg: &TcpRepr<'_>) -> Option<Timestamps> {
    match *seg.options.as_bytes() {
        [NOP, NOP, TIMESTAMPS, 10, a, b, c, d, e, f, g, h, ..] => Some(Timestamps {
            tsval: u32::from_be_bytes([a, b, c, d]),
            tsecr: u32::from_be_bytes([e, f, g, h]),
        }),
        _ => seg.timestamps(),
    }
}

/// Return a received segment's SACK blocks, as [`TcpRepr::sack_blocks`]
/// does, knowing at once that options of only `nop, nop, TS` (or none)
/// hold none.
pub fn sack_blocks_of(seg: &TcpRepr<'_>) -> Option<SackBlocks> {
    match *seg.options.as_bytes() {
        [] | [NOP, NOP, TIMESTAMPS, 10, _, _, _, _, _, _, _, _] => None,
        _ => seg.sack_blocks(),
    }
}

/// What a peer's SYN (or SYN,ACK) said about options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerSyn {
    /// The peer's MSS, 536 when absent (MUST-15).
    pub mss: u16,
    /// The peer's window shift, clamped to 14 (RFC 7323 2.3: "If a Window
    /// Scale option is received with a shift.cnt value larger than 14, the
    /// TCP SHOULD log the error but MUST use 14 instead of the specified
    /// value.")
    pub window_shift: Option<u8>,
    /// Whether the peer sent SACK-Permitted.
    pub sack: bool,
    /// The peer's timestamps, if any.
    pub timestamps: Option<Timestamps>,
}

impl PeerSyn {
    /// Read the options of a SYN.
    pub fn parse(seg: &TcpRepr<'_>) -> PeerSyn {
        PeerSyn {
            mss: seg.mss().unwrap_or(DEFAULT_MSS),
            window_shift: seg.window_scale().map(|s| s.min(MAX_WINDOW_SHIFT)),
            sack: seg.sack_permitted(),
            timestamps: seg.timestamps(),
        }
    }
}

/// The timestamp state (RFC 7323 3 to 5): our clock and PAWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimestampState {
    /// Whether timestamps were negotiated.
    pub enabled: bool,
    /// The random offset of our TSval clock (RFC 7323 7.1).
    pub offset: u32,
    /// TS.Recent: the timestamp to echo (RFC 7323 4.3).
    pub recent: u32,
    /// When TS.Recent was last updated (RFC 7323 5.5).
    pub recent_at: Instant,
    /// Whether TS.Recent holds a value.
    pub recent_valid: bool,
    /// Last.ACK.sent: the ACK field of the last segment we sent.
    pub last_ack_sent: SeqNumber,
}

impl TimestampState {
    /// Return our TSval at `now`: a 1 ms clock (RFC 7323 5.4: between 1 ms
    /// and 1 s per tick) plus the per-connection offset.
    pub fn tsval(&self, now: Instant) -> u32 {
        self.offset.wrapping_add(now.total_millis() as u32)
    }

    /// Return the Timestamps option to send at `now`, if negotiated.
    pub fn option(&self, now: Instant) -> Option<Timestamps> {
        self.enabled.then(|| Timestamps {
            tsval: self.tsval(now),
            tsecr: self.recent,
        })
    }

    /// Return whether PAWS rejects `tsval` (RFC 7323 5.3 R1): TS.Recent is
    /// valid (set, and not idle for 24 days, 5.5) and `tsval` is older.
    pub fn paws_rejects(&self, tsval: u32, now: Instant) -> bool {
        let stale = now.saturating_duration_since(self.recent_at) > TS_RECENT_LIFETIME;
        self.recent_valid && !stale && (tsval.wrapping_sub(self.recent) as i32) < 0
    }

    /// Record `tsval` as TS.Recent if the segment starting at `seq` covers
    /// Last.ACK.sent (RFC 7323 4.3 (2): "SEG.TSval >= TS.Recent and SEG.SEQ
    /// <= Last.ACK.sent").
    pub fn update_recent(&mut self, seq: SeqNumber, tsval: u32, now: Instant) {
        let newer = !self.recent_valid || (tsval.wrapping_sub(self.recent) as i32) >= 0;
        if newer && seq <= self.last_ack_sent {
            self.set_recent(tsval, now);
        }
    }

    /// Set TS.Recent (from a SYN, or after the 4.3 check).
    pub fn set_recent(&mut self, tsval: u32, now: Instant) {
        self.recent = tsval;
        self.recent_at = now;
        self.recent_valid = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syn_layouts_match_linux() {
        let ts = Some(Timestamps { tsval: 5, tsecr: 0 });
        let full = SynOffer {
            mss: 1460,
            sack: true,
            timestamps: ts,
            window_shift: Some(7),
        };
        assert_eq!(
            full.to_options().to_string(),
            "mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 7"
        );
        let no_ts = SynOffer {
            timestamps: None,
            ..full
        };
        assert_eq!(
            no_ts.to_options().to_string(),
            "mss 1460,nop,nop,sackOK,nop,wscale 7"
        );
        let bare = SynOffer {
            mss: 536,
            sack: false,
            timestamps: None,
            window_shift: None,
        };
        assert_eq!(bare.to_options().to_string(), "mss 536");
    }

    #[test]
    fn paws_compares_modulo_2_32() {
        let mut ts = TimestampState::default();
        assert!(!ts.paws_rejects(0, Instant::ZERO), "no TS.Recent yet");
        ts.set_recent(u32::MAX - 1, Instant::ZERO);
        assert!(ts.paws_rejects(u32::MAX - 2, Instant::ZERO));
        assert!(
            !ts.paws_rejects(3, Instant::ZERO),
            "wrapped forward is newer"
        );
        let later = Instant::ZERO + TS_RECENT_LIFETIME + Duration::from_secs(1);
        assert!(!ts.paws_rejects(u32::MAX - 2, later), "stale TS.Recent");
    }

    #[test]
    fn timestamps_only_are_what_push_writes_and_fast_reads_agree() {
        let ts = Timestamps {
            tsval: 0x0102_0304,
            tsecr: 0xa0b0_c0d0,
        };
        let mut pushed = TcpOptions::new();
        pushed.push(TcpOption::NoOperation).unwrap();
        pushed.push(TcpOption::NoOperation).unwrap();
        pushed.push(TcpOption::Timestamps(ts)).unwrap();
        assert_eq!(
            segment_options(Some(ts), None).as_bytes(),
            pushed.as_bytes()
        );
        let blocks = [crate::wire::tcp::SackBlock::new(1, 2)];
        let cases = [
            TcpOptions::new(),
            pushed,
            segment_options(Some(ts), SackBlocks::new(&blocks)),
            segment_options(None, SackBlocks::new(&blocks)),
            // Timestamps not in the usual place.
            TcpOptions::from_list(&[TcpOption::Timestamps(ts)]).unwrap(),
        ];
        for options in cases {
            let seg = TcpRepr {
                options,
                ..TcpRepr::default()
            };
            assert_eq!(timestamps_of(&seg), seg.timestamps(), "{options}");
            assert_eq!(sack_blocks_of(&seg), seg.sack_blocks(), "{options}");
        }
    }

    #[test]
    fn sack_blocks_fit_beside_timestamps() {
        use crate::wire::tcp::SackBlock;
        let blocks = [
            SackBlock::new(1, 2),
            SackBlock::new(3, 4),
            SackBlock::new(5, 6),
            SackBlock::new(7, 8),
        ];
        let ts = Some(Timestamps { tsval: 1, tsecr: 2 });
        let options = segment_options(ts, SackBlocks::new(&blocks));
        assert_eq!(options.sack_blocks().unwrap().as_slice().len(), 3);
        let options = segment_options(None, SackBlocks::new(&blocks));
        assert_eq!(options.sack_blocks().unwrap().as_slice().len(), 4);
    }
}
