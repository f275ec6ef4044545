//! Matching payloads against what arrived, without a model of
//! reassembly: a datagram is explained when fragments received under its
//! key can be laid end to end from offset 0 to give its bytes ([`tiles`]).

/// One frame's worth of a datagram, as it arrived: its bytes are
/// `Oracle::store[start..start + len]` (one buffer for all, rather than an
/// allocation each: under a sanitizer every allocation is slow).
#[derive(Debug)]
pub(super) struct Arrival {
    pub(super) offset: usize,
    pub(super) start: usize,
    pub(super) len: usize,
    pub(super) link_unicast: bool,
}

impl Arrival {
    fn bytes<'a>(&self, store: &'a [u8]) -> &'a [u8] {
        &store[self.start..self.start + self.len]
    }
}

/// What a datagram's payload must be: `head` (`None` matches any byte),
/// then `data`.
#[derive(Debug, Default)]
pub(super) struct Target<'a> {
    pub(super) head: [Option<u8>; 8],
    pub(super) head_len: usize,
    pub(super) data: &'a [u8],
}

impl<'a> Target<'a> {
    /// Return `data` as a target that must match exactly.
    pub(super) fn exactly(data: &'a [u8]) -> Target<'a> {
        Target {
            data,
            ..Target::default()
        }
    }

    /// Return the ICMP echo message `msg_type` as a target (checksum free).
    pub(super) fn echo(msg_type: u8, ident: u16, seq_no: u16, data: &'a [u8]) -> Target<'a> {
        let [i0, i1] = ident.to_be_bytes().map(Some);
        let [s0, s1] = seq_no.to_be_bytes().map(Some);
        Target {
            head: [Some(msg_type), Some(0), None, None, i0, i1, s0, s1],
            head_len: 8,
            data,
        }
    }

    fn len(&self) -> usize {
        self.head_len + self.data.len()
    }

    /// Return whether `bytes` lying at `offset` match (they must fit).
    fn matches(&self, offset: usize, bytes: &[u8]) -> bool {
        let in_head = self.head_len.saturating_sub(offset).min(bytes.len());
        let head = &self.head[offset.min(self.head_len)..][..in_head];
        let (head_bytes, rest) = bytes.split_at(in_head);
        let from = offset + in_head - self.head_len.min(offset + in_head);
        (head.iter().zip(head_bytes)).all(|(t, b)| t.is_none_or(|t| t == *b))
            && (rest.is_empty() || self.data[from..from + rest.len()] == *rest)
    }
}

/// Return whether `pieces` (in order of offset, their bytes in `store`)
/// laid end to end from offset 0 give `target`: all of it exactly, or,
/// unless `exact`, a prefix of what they cover; `reached` is scratch.
pub(super) fn tiles(
    pieces: &[Arrival],
    store: &[u8],
    target: &Target,
    exact: bool,
    reached: &mut Vec<bool>,
) -> bool {
    let len = target.len();
    reached.clear();
    reached.resize(len + 1, false);
    reached[0] = true;
    // In order of offset, every piece that could reach an offset comes
    // before the pieces that start there.
    for piece in pieces.iter().take_while(|p| p.offset <= len) {
        if !reached[piece.offset] {
            continue;
        }
        let end = piece.offset + piece.len;
        if exact && end > len {
            continue;
        }
        let bytes = &piece.bytes(store)[..end.min(len) - piece.offset];
        if target.matches(piece.offset, bytes) {
            reached[end.min(len)] = true;
        }
    }
    reached[len]
}

/// Return whether `pieces` tile `target` exactly; for the tests.
#[cfg(test)]
pub(in crate::fuzz::host) fn tiles_exactly(pieces: &[(usize, &[u8])], target: &[u8]) -> bool {
    let mut store = Vec::new();
    let mut arrivals: Vec<Arrival> = (pieces.iter())
        .map(|(offset, bytes)| {
            store.extend_from_slice(bytes);
            Arrival {
                offset: *offset,
                start: store.len() - bytes.len(),
                len: bytes.len(),
                link_unicast: true,
            }
        })
        .collect();
    arrivals.sort_by_key(|a| a.offset);
    let target = Target::exactly(target);
    tiles(&arrivals, &store, &target, true, &mut Vec::new())
}
