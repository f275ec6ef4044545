//! The emitter: [`MessageWriter`] writes a message section by section into
//! a caller's buffer, with or without name compression, never allocating.

use super::header::{Header, HEADER_LEN};
use super::message::{Question, Record, Section};
use super::name::{Name, MAX_NAME_LEN};
use super::rdata::RData;
use super::DnsError;

/// Whether the emitter compresses names (RFC 1035 4.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Every name written in full.
    Off,
    /// A name's longest suffix already written (byte for byte, case
    /// included) is replaced by a pointer to it, in owner names and in the
    /// RDATA names of NS, CNAME, SOA, PTR and MX (RFC 3597 4).
    On,
}

/// How many label offsets the compression table remembers; names written
/// once it is full are still compressed against the first ones.
const TABLE_LEN: usize = 256;

/// The largest offset a pointer can hold: 14 bits.
const MAX_POINTER_TARGET: usize = 0x3fff;

/// The most labels a name has: 255 bytes of one-byte labels.
const MAX_LABELS: usize = MAX_NAME_LEN / 2;

/// Writes a message into a buffer, one question or record at a time, in
/// section order; [`finish`](Self::finish) writes the header and counts.
///
/// Each call writes a whole entry or nothing: when one fails (say with
/// [`DnsError::NoSpace`]) the writer is as it was before, so a server can
/// set TC in [`header_mut`](Self::header_mut) and finish (RFC 1035 4.1.1).
#[derive(Debug)]
pub struct MessageWriter<'b> {
    buffer: &'b mut [u8],
    header: Header,
    pos: usize,
    counts: [u16; 4],
    section: Section,
    compression: Compression,
    table: [u16; TABLE_LEN],
    table_len: usize,
}

impl<'b> MessageWriter<'b> {
    /// Start a message with `header` in `buffer`.
    ///
    /// Fails with [`DnsError::NoSpace`] if `buffer` cannot hold the header.
    pub fn new(
        buffer: &'b mut [u8],
        header: Header,
        compression: Compression,
    ) -> Result<MessageWriter<'b>, DnsError> {
        header.emit([0; 4], buffer)?;
        Ok(MessageWriter {
            buffer,
            header,
            pos: HEADER_LEN,
            counts: [0; 4],
            section: Section::Question,
            compression,
            table: [0; TABLE_LEN],
            table_len: 0,
        })
    }

    /// Return the header [`finish`](Self::finish) will write, to change it.
    pub fn header_mut(&mut self) -> &mut Header {
        &mut self.header
    }

    /// Return the number of bytes written so far.
    pub fn len(&self) -> usize {
        self.pos
    }

    /// Return whether nothing but the header has been written.
    pub fn is_empty(&self) -> bool {
        self.pos == HEADER_LEN
    }

    /// Return the number of entries written to `section`.
    pub fn count(&self, section: Section) -> u16 {
        self.counts[section.index()]
    }

    /// Write a question.
    ///
    /// Fails with [`DnsError::NoSpace`], and with [`DnsError::Invalid`]
    /// (field `"section order"`) after a record, or (field `"count"`) after
    /// 65,535 questions.
    pub fn question(&mut self, question: &Question<'_>) -> Result<(), DnsError> {
        self.push(Section::Question, |w| {
            w.name(&question.name)?;
            w.put(&u16::from(question.qtype).to_be_bytes())?;
            w.put(&u16::from(question.qclass).to_be_bytes())
        })
    }

    /// Write a record to `section`.
    ///
    /// Fails with [`DnsError::NoSpace`], and with [`DnsError::Invalid`]:
    /// field `"section order"` for the question section or one before the
    /// last written, `"count"` after 65,535 records, `"rdlength"` for RDATA
    /// over 65,535 bytes and `"rdata type"` for an [`RData::Other`] that
    /// carries a typed TYPE.
    pub fn record(&mut self, section: Section, record: &Record<'_>) -> Result<(), DnsError> {
        if section == Section::Question {
            return Err(section_order(section));
        }
        if let RData::Other { rtype, .. } = record.data {
            if rtype.is_typed() {
                return Err(DnsError::Invalid {
                    field: "rdata type",
                    value: u16::from(rtype).into(),
                });
            }
        }
        self.push(section, |w| {
            w.name(&record.name)?;
            w.put(&u16::from(record.rtype()).to_be_bytes())?;
            w.put(&u16::from(record.class).to_be_bytes())?;
            w.put(&record.ttl.to_be_bytes())?;
            let length_at = w.pos;
            w.put(&[0, 0])?;
            w.rdata(&record.data)?;
            let len = w.pos - length_at - 2;
            let len = u16::try_from(len).map_err(|_| DnsError::Invalid {
                field: "rdlength",
                value: u32::try_from(len).unwrap_or(u32::MAX),
            })?;
            w.buffer[length_at..length_at + 2].copy_from_slice(&len.to_be_bytes());
            Ok(())
        })
    }

    /// Write the header with the counts; return the message's length.
    pub fn finish(self) -> usize {
        // NOTE: cannot fail: `new` wrote a header into the same buffer.
        let _ = self.header.emit(self.counts, self.buffer);
        self.pos
    }

    /// Run `write` for one entry of `section`: count it if it succeeds,
    /// undo it (bytes and compression table) if it fails.
    fn push(
        &mut self,
        section: Section,
        write: impl FnOnce(&mut Self) -> Result<(), DnsError>,
    ) -> Result<(), DnsError> {
        if section < self.section {
            return Err(section_order(section));
        }
        let index = section.index();
        if self.counts[index] == u16::MAX {
            return Err(DnsError::Invalid {
                field: "count",
                value: u32::from(u16::MAX) + 1,
            });
        }
        let (pos, table_len) = (self.pos, self.table_len);
        match write(self) {
            Ok(()) => {
                self.counts[index] += 1;
                self.section = section;
                Ok(())
            }
            Err(e) => {
                (self.pos, self.table_len) = (pos, table_len);
                Err(e)
            }
        }
    }

    /// Write RDATA, compressing the names RFC 3597 4 allows.
    fn rdata(&mut self, data: &RData<'_>) -> Result<(), DnsError> {
        match data {
            RData::A(addr) => self.put(&addr.octets()),
            RData::Aaaa(addr) => self.put(&addr.octets()),
            RData::Ns(name) | RData::Cname(name) | RData::Ptr(name) => self.name(name),
            RData::Mx {
                preference,
                exchange,
            } => {
                self.put(&preference.to_be_bytes())?;
                self.name(exchange)
            }
            RData::Soa(soa) => {
                self.name(&soa.mname)?;
                self.name(&soa.rname)?;
                for number in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] {
                    self.put(&number.to_be_bytes())?;
                }
                Ok(())
            }
            RData::Txt(txt) => self.put(txt.as_bytes()),
            RData::Opt(opt) => self.put(opt.as_bytes()),
            RData::Other { data, .. } => self.put(data),
        }
    }

    /// Write a name: its labels until a suffix already written, then a
    /// pointer to that suffix (under [`Compression::On`]) or the root label.
    fn name(&mut self, name: &Name<'_>) -> Result<(), DnsError> {
        // The offsets of this name's labels join the table only once the
        // whole name is written: until then a suffix of it is incomplete.
        let mut written = [0u16; MAX_LABELS + 1];
        let mut count = 0;
        let mut suffix = name.labels();
        loop {
            if let Some(target) = self.find(&suffix) {
                self.put(&(0xc000 | target).to_be_bytes())?;
                break;
            }
            let Some(label) = suffix.next() else {
                self.put(&[0])?;
                break;
            };
            if let (Ok(offset), Some(slot)) = (u16::try_from(self.pos), written.get_mut(count)) {
                if usize::from(offset) <= MAX_POINTER_TARGET {
                    (*slot, count) = (offset, count + 1);
                }
            }
            // NOTE: `Labels` yields labels of 1..=63 bytes.
            self.put(&[label.len() as u8])?;
            self.put(label)?;
        }
        for &offset in &written[..count] {
            if let Some(slot) = self.table.get_mut(self.table_len) {
                *slot = offset;
                self.table_len += 1;
            }
        }
        Ok(())
    }

    /// Return the offset of a name already written whose labels are
    /// exactly those left in `suffix`, if compression is on and the suffix
    /// is not the root.
    fn find(&self, suffix: &super::name::Labels<'_>) -> Option<u16> {
        if self.compression == Compression::Off || suffix.clone().next().is_none() {
            return None;
        }
        let written = &self.buffer[..self.pos];
        self.table[..self.table_len]
            .iter()
            .copied()
            .find(|&offset| {
                Name::new_unchecked(written, usize::from(offset))
                    .labels()
                    .eq(suffix.clone())
            })
    }

    /// Write `bytes` at the current position.
    fn put(&mut self, bytes: &[u8]) -> Result<(), DnsError> {
        let end = self.pos + bytes.len();
        let have = self.buffer.len();
        let space = self
            .buffer
            .get_mut(self.pos..end)
            .ok_or(DnsError::NoSpace { need: end, have })?;
        space.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }
}

/// The error for an entry written out of section order.
fn section_order(section: Section) -> DnsError {
    DnsError::Invalid {
        field: "section order",
        value: section.index() as u32,
    }
}
