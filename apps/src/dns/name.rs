//! Domain names (RFC 1035 3.1, 4.1.4): the view [`Name`] into a message,
//! its label iterator [`Labels`], and the owned, fixed-size [`NameBuf`].
//!
//! ```text
//!   label:    | len (0..=63) | len bytes ... |     the root label is len 0
//!   pointer:  | 1 1 |      OFFSET (14 bits)  |     RFC 1035 4.1.4
//! ```

use core::fmt;
use core::hash::{Hash, Hasher};

use super::text::write_label;
use super::DnsError;

/// The longest name, in bytes of its uncompressed wire form with the root
/// label (RFC 1035 2.3.4).
pub const MAX_NAME_LEN: usize = 255;

/// The longest label, in bytes (RFC 1035 2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// The most compression pointers a name may follow. A name has at most 127
/// labels, and an encoder that points only at labels it wrote needs at most
/// one pointer per label plus one; every pointer must also go further back
/// than the last, so this is a bound on work, not the loop check.
pub const MAX_POINTERS: usize = 128;

/// The two top bits of a length byte that mark a compression pointer.
const POINTER: u8 = 0xc0;

/// A domain name inside a message: the message bytes and the offset where
/// the name starts, compression pointers and all.
///
/// Made by [`Name::parse`] (which checks it), by the section iterators of a
/// parsed message, or by [`NameBuf::as_name`]. Equality and hashing are exact,
/// label by label (case included) and ignore how the name was compressed.
#[derive(Clone, Copy)]
pub struct Name<'a> {
    message: &'a [u8],
    start: usize,
}

impl<'a> Name<'a> {
    /// Read and check the name starting at offset `start` of `message`.
    ///
    /// Return the name and the offset just after it in place: after its root
    /// label, or after its first compression pointer. Fails with
    /// [`DnsError::Truncated`] (field `"name label"` or `"name pointer"`),
    /// [`DnsError::BadLabel`], [`DnsError::NameTooLong`],
    /// [`DnsError::PointerNotBackward`] or [`DnsError::TooManyPointers`].
    pub fn parse(message: &'a [u8], start: usize) -> Result<(Name<'a>, usize), DnsError> {
        let mut pos = start;
        // Every pointer must point strictly before `limit`, the first byte
        // of the labels read so far: each jump goes further back, so the
        // walk ends (RFC 1035 4.1.4 only allows "a prior occurrence").
        let mut limit = start;
        let mut end = None;
        let mut wire_len = 0;
        let mut pointers = 0;
        loop {
            let len = *message.get(pos).ok_or(DnsError::Truncated {
                field: "name label",
                need: pos + 1,
                have: message.len(),
            })?;
            if len & POINTER == POINTER {
                let target = usize::from(super::read_u16(message, pos, "name pointer")? & 0x3fff);
                if target >= limit {
                    return Err(DnsError::PointerNotBackward { at: pos, target });
                }
                pointers += 1;
                if pointers > MAX_POINTERS {
                    return Err(DnsError::TooManyPointers { at: start });
                }
                end.get_or_insert(pos + 2);
                (pos, limit) = (target, target);
                continue;
            }
            if usize::from(len) > MAX_LABEL_LEN {
                return Err(DnsError::BadLabel {
                    at: pos,
                    value: len,
                });
            }
            // RFC 1035 2.3.4: "names - 255 octets or less", length bytes
            // and the root label included.
            wire_len += usize::from(len) + 1;
            if wire_len > MAX_NAME_LEN {
                return Err(DnsError::NameTooLong { at: start });
            }
            let next = pos + 1 + usize::from(len);
            if len == 0 {
                return Ok((Name { message, start }, end.unwrap_or(next)));
            }
            super::need_len("name label", next, message.len())?;
            pos = next;
        }
    }

    /// Return a view of the name at `start` of `message` without checking
    /// it. Its [`labels`](Self::labels) stop early, never panic, at whatever
    /// [`parse`](Self::parse) would reject.
    pub const fn new_unchecked(message: &'a [u8], start: usize) -> Name<'a> {
        Name { message, start }
    }

    /// Return the offset of the name's first byte in its message.
    pub const fn start(&self) -> usize {
        self.start
    }

    /// Return the labels, first (leftmost) to last, without the root label.
    pub fn labels(&self) -> Labels<'a> {
        Labels {
            message: self.message,
            pos: self.start,
            limit: self.start,
            pointers: 0,
            wire_len: 0,
        }
    }

    /// Return whether this is the root name, `.`.
    pub fn is_root(&self) -> bool {
        self.labels().next().is_none()
    }

    /// Return the number of labels, the root label not counted.
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// Return the length of the name's uncompressed wire form: its labels
    /// with their length bytes, and the root label. At most [`MAX_NAME_LEN`].
    pub fn wire_len(&self) -> usize {
        self.labels().map(|label| label.len() + 1).sum::<usize>() + 1
    }

    /// Return whether both names have the same labels, ignoring ASCII case
    /// (RFC 4343), as resolvers compare names.
    pub fn eq_ignore_ascii_case(&self, other: &Name<'_>) -> bool {
        let mut theirs = other.labels();
        self.labels()
            .all(|a| theirs.next().is_some_and(|b| a.eq_ignore_ascii_case(b)))
            && theirs.next().is_none()
    }
}

impl PartialEq<Name<'_>> for Name<'_> {
    fn eq(&self, other: &Name<'_>) -> bool {
        self.labels().eq(other.labels())
    }
}

impl Eq for Name<'_> {}

impl Hash for Name<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for label in self.labels() {
            label.hash(state);
        }
    }
}

impl fmt::Display for Name<'_> {
    /// Print the name in presentation form, with its final dot: `.` for the
    /// root, `\.` for a dot inside a label, `\DDD` for unprintable bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut labels = self.labels().peekable();
        if labels.peek().is_none() {
            return f.write_str(".");
        }
        for label in labels {
            write_label(f, label)?;
            f.write_str(".")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name(\"{self}\")")
    }
}

/// The labels of a [`Name`], followed through compression pointers.
///
/// Total on any bytes: it stops, without panicking, where [`Name::parse`]
/// would fail (so on a checked name it yields every label).
#[derive(Debug, Clone)]
pub struct Labels<'a> {
    message: &'a [u8],
    pos: usize,
    limit: usize,
    pointers: usize,
    wire_len: usize,
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            let len = *self.message.get(self.pos)?;
            if len & POINTER == POINTER {
                let low = *self.message.get(self.pos + 1)?;
                let target = usize::from(u16::from_be_bytes([len & 0x3f, low]));
                if target >= self.limit || self.pointers >= MAX_POINTERS {
                    return None;
                }
                self.pointers += 1;
                (self.pos, self.limit) = (target, target);
                continue;
            }
            let len = usize::from(len);
            self.wire_len += len + 1;
            if len == 0 || len > MAX_LABEL_LEN || self.wire_len >= MAX_NAME_LEN {
                return None;
            }
            let label = self.message.get(self.pos + 1..self.pos + 1 + len)?;
            self.pos += 1 + len;
            return Some(label);
        }
    }
}

/// A name in its uncompressed wire form, owned, in a fixed 255-byte array
/// (no allocation): to build names from text, or to keep one beyond its
/// message.
#[derive(Clone)]
pub struct NameBuf {
    bytes: [u8; MAX_NAME_LEN],
    len: usize,
}

impl NameBuf {
    /// Return the root name, `.`.
    pub const fn root() -> NameBuf {
        NameBuf {
            bytes: [0; MAX_NAME_LEN],
            len: 1,
        }
    }

    /// Copy a name, uncompressing it.
    pub fn from_name(name: &Name<'_>) -> NameBuf {
        let mut buf = NameBuf::root();
        for label in name.labels() {
            // NOTE: cannot fail: `labels` stops before 255 bytes.
            let _ = buf.push_label(label);
        }
        buf
    }

    /// Build a name from labels, leftmost first (without the root label).
    ///
    /// Fails with [`DnsError::Invalid`] (field `"label length"`) on an empty
    /// label or one longer than 63 bytes, and with [`DnsError::NameTooLong`].
    pub fn from_labels<'l>(
        labels: impl IntoIterator<Item = &'l [u8]>,
    ) -> Result<NameBuf, DnsError> {
        let mut buf = NameBuf::root();
        for label in labels {
            buf.push_label(label)?;
        }
        Ok(buf)
    }

    /// Parse a name in presentation form: labels separated by dots, a final
    /// dot optional, `\.`, `\\` and `\DDD` escapes (RFC 1035 5.1). `""` and
    /// `"."` are the root.
    ///
    /// Fails with [`DnsError::Invalid`]: field `"name escape"` (value: the
    /// byte offset in `text`) on a bad escape, `"label length"` on an empty
    /// label or one over 63 bytes; and with [`DnsError::NameTooLong`].
    pub fn from_dotted(text: &str) -> Result<NameBuf, DnsError> {
        let mut buf = NameBuf::root();
        if text == "." {
            return Ok(buf);
        }
        let mut label = [0u8; MAX_LABEL_LEN + 1];
        let mut len = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let (byte, used) = match bytes[i] {
                b'.' => {
                    buf.push_label(&label[..len])?;
                    (len, i) = (0, i + 1);
                    continue;
                }
                b'\\' => unescape(&bytes[i..]).ok_or(DnsError::Invalid {
                    field: "name escape",
                    value: u32::try_from(i).unwrap_or(u32::MAX),
                })?,
                other => (other, 1),
            };
            if len > MAX_LABEL_LEN {
                return Err(label_length(len + 1));
            }
            label[len] = byte;
            (len, i) = (len + 1, i + used);
        }
        if len > 0 {
            buf.push_label(&label[..len])?;
        }
        Ok(buf)
    }

    /// Append a label before the root label.
    fn push_label(&mut self, label: &[u8]) -> Result<(), DnsError> {
        if label.is_empty() || label.len() > MAX_LABEL_LEN {
            return Err(label_length(label.len()));
        }
        let end = self.len + 1 + label.len();
        if end > MAX_NAME_LEN {
            return Err(DnsError::NameTooLong { at: 0 });
        }
        let at = self.len - 1;
        // NOTE: label.len() <= 63 was checked above.
        self.bytes[at] = label.len() as u8;
        self.bytes[at + 1..end - 1].copy_from_slice(label);
        self.bytes[end - 1] = 0;
        self.len = end;
        Ok(())
    }

    /// Return the name as a view, for comparing, printing or emitting.
    pub fn as_name(&self) -> Name<'_> {
        Name::new_unchecked(self.as_bytes(), 0)
    }

    /// Return the uncompressed wire form, root label included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The error for a label of `len` bytes.
fn label_length(len: usize) -> DnsError {
    DnsError::Invalid {
        field: "label length",
        value: u32::try_from(len).unwrap_or(u32::MAX),
    }
}

/// Read the escape at the start of `text` (which starts with a backslash):
/// `\DDD` (a decimal byte value) or `\c`. Return the byte and the number of
/// text bytes used.
fn unescape(text: &[u8]) -> Option<(u8, usize)> {
    match text.get(1..4) {
        Some(digits) if digits.iter().all(u8::is_ascii_digit) => {
            let value = digits
                .iter()
                .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
            Some((u8::try_from(value).ok()?, 4))
        }
        _ => match text.get(1) {
            Some(c) if !c.is_ascii_digit() => Some((*c, 2)),
            _ => None,
        },
    }
}

impl PartialEq for NameBuf {
    fn eq(&self, other: &NameBuf) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for NameBuf {}

impl fmt::Display for NameBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_name().fmt(f)
    }
}

impl fmt::Debug for NameBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NameBuf(\"{self}\")")
    }
}
