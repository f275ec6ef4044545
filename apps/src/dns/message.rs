//! Whole messages (RFC 1035 4.1): [`Message`], its [`Question`]s and
//! [`Record`]s, and the section iterators.

use core::fmt;

use super::header::{Header, HEADER_LEN};
use super::name::Name;
use super::rdata::{Class, Edns, RData, RecordType};
use super::writer::{Compression, MessageWriter};
use super::{read_u16, read_u32, DnsError};

/// The four sections of a message, in wire order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// The question section (QDCOUNT entries).
    Question,
    /// The answer section (ANCOUNT records).
    Answer,
    /// The authority section (NSCOUNT records).
    Authority,
    /// The additional section (ARCOUNT records).
    Additional,
}

impl Section {
    /// The sections in wire order.
    pub const ALL: [Section; 4] = [
        Section::Question,
        Section::Answer,
        Section::Authority,
        Section::Additional,
    ];

    /// Return the index of the section's count in the header (0..4).
    pub const fn index(self) -> usize {
        self as usize
    }
}

/// An entry of the question section (RFC 1035 4.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Question<'a> {
    /// QNAME.
    pub name: Name<'a>,
    /// QTYPE.
    pub qtype: RecordType,
    /// QCLASS.
    pub qclass: Class,
}

impl<'a> Question<'a> {
    /// Read the question at `start` of `message`; return it and the offset
    /// after it.
    pub fn parse(message: &'a [u8], start: usize) -> Result<(Question<'a>, usize), DnsError> {
        let (name, at) = Name::parse(message, start)?;
        let question = Question {
            name,
            qtype: read_u16(message, at, "qtype")?.into(),
            qclass: read_u16(message, at + 2, "qclass")?.into(),
        };
        Ok((question, at + 4))
    }

    /// Return the length of the question with its name uncompressed.
    pub fn wire_len(&self) -> usize {
        self.name.wire_len() + 4
    }
}

impl fmt::Display for Question<'_> {
    /// Print the question as dig does: `;example.com.\t\tIN\tA`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ";{}\t\t{}\t{}", self.name, self.qclass, self.qtype)
    }
}

/// A resource record (RFC 1035 4.1.3). Its TYPE is that of its `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Record<'a> {
    /// NAME: the owner.
    pub name: Name<'a>,
    /// CLASS (for OPT, the UDP payload size: see [`Record::edns`]).
    pub class: Class,
    /// TTL, in seconds (for OPT, the extended RCODE and flags).
    pub ttl: u32,
    /// RDATA, with its TYPE.
    pub data: RData<'a>,
}

impl<'a> Record<'a> {
    /// Read the record at `start` of `message`; return it and the offset
    /// after it.
    ///
    /// Fails with [`DnsError::Truncated`] (fields `"rr type"`, `"rr class"`,
    /// `"ttl"`, `"rdlength"`, `"rdata"`), the errors of [`Name::parse`] and
    /// [`RData::parse`], and [`DnsError::Invalid`] (field `"opt owner"`) for
    /// an OPT record whose owner is not the root (RFC 6891 6.1.2).
    pub fn parse(message: &'a [u8], start: usize) -> Result<(Record<'a>, usize), DnsError> {
        let (name, at) = Name::parse(message, start)?;
        let rtype = RecordType::from(read_u16(message, at, "rr type")?);
        let class = Class::from(read_u16(message, at + 2, "rr class")?);
        let ttl = read_u32(message, at + 4, "ttl")?;
        let rdlength = read_u16(message, at + 8, "rdlength")?;
        let (data_start, end) = (at + 10, at + 10 + usize::from(rdlength));
        super::need_len("rdata", end, message.len())?;
        let data = RData::parse(rtype, message, data_start, end)?;
        if rtype == RecordType::Opt && !name.is_root() {
            return Err(DnsError::Invalid {
                field: "opt owner",
                value: u32::try_from(start).unwrap_or(u32::MAX),
            });
        }
        Ok((
            Record {
                name,
                class,
                ttl,
                data,
            },
            end,
        ))
    }

    /// Return the record's TYPE.
    pub fn rtype(&self) -> RecordType {
        self.data.rtype()
    }

    /// Return what an OPT record's CLASS and TTL hold, or `None` for other
    /// types.
    pub fn edns(&self) -> Option<Edns> {
        matches!(self.data, RData::Opt(_)).then(|| Edns::from_class_ttl(self.class, self.ttl))
    }

    /// Return the length of the record with its names uncompressed.
    pub fn wire_len(&self) -> usize {
        self.name.wire_len() + 10 + self.data.wire_len()
    }
}

impl fmt::Display for Record<'_> {
    /// Print the record on one line as dig does:
    /// `example.com.\t3600\tIN\tA\t192.0.2.1`. An OPT record prints as dig's
    /// pseudo-section line: `; EDNS: version: 0, flags: do; udp: 1232`,
    /// followed by its options.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(edns) = self.edns() {
            write!(f, "; EDNS: version: {}, flags:", edns.version)?;
            if edns.dnssec_ok {
                f.write_str(" do")?;
            }
            if edns.z != 0 {
                write!(f, " MBZ: {:#06x}", edns.z)?;
            }
            return write!(f, "; udp: {}{}", edns.udp_payload_size, self.data);
        }
        write!(
            f,
            "{}\t{}\t{}\t{}\t{}",
            self.name,
            self.ttl,
            self.class,
            self.rtype(),
            self.data
        )
    }
}

/// A DNS message, checked: a view over its bytes with the offsets of its
/// sections.
///
/// Equality compares the header, the counts and every question and record
/// (names label by label), not the bytes: the same message compressed two
/// ways is equal.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    bytes: &'a [u8],
    header: Header,
    counts: [u16; 4],
    starts: [usize; 4],
}

impl<'a> Message<'a> {
    /// Read and check a whole message: header, questions, records, names.
    ///
    /// Fails with the first [`DnsError`] found, in wire order, and with
    /// [`DnsError::TrailingBytes`] if bytes follow the last record.
    pub fn parse(bytes: &'a [u8]) -> Result<Message<'a>, DnsError> {
        let (header, counts) = Header::parse(bytes)?;
        let mut starts = [HEADER_LEN; 4];
        let mut pos = HEADER_LEN;
        for _ in 0..counts[0] {
            pos = Question::parse(bytes, pos)?.1;
        }
        for section in 1..4 {
            starts[section] = pos;
            for _ in 0..counts[section] {
                pos = Record::parse(bytes, pos)?.1;
            }
        }
        if pos != bytes.len() {
            return Err(DnsError::TrailingBytes {
                len: bytes.len() - pos,
            });
        }
        Ok(Message {
            bytes,
            header,
            counts,
            starts,
        })
    }

    /// Return the header.
    pub fn header(&self) -> Header {
        self.header
    }

    /// Return the number of entries in `section`.
    pub fn count(&self, section: Section) -> u16 {
        self.counts[section.index()]
    }

    /// Return the questions.
    pub fn questions(&self) -> Questions<'a> {
        Questions {
            message: self.bytes,
            pos: self.starts[0],
            remaining: self.counts[0],
        }
    }

    /// Return the records of `section`; none for [`Section::Question`].
    pub fn records(&self, section: Section) -> Records<'a> {
        let index = section.index();
        Records {
            message: self.bytes,
            pos: self.starts[index],
            remaining: if index == 0 { 0 } else { self.counts[index] },
        }
    }

    /// Return the answer records.
    pub fn answers(&self) -> Records<'a> {
        self.records(Section::Answer)
    }

    /// Return the authority records.
    pub fn authorities(&self) -> Records<'a> {
        self.records(Section::Authority)
    }

    /// Return the additional records.
    pub fn additionals(&self) -> Records<'a> {
        self.records(Section::Additional)
    }

    /// Return the EDNS parameters of the first OPT record of the additional
    /// section, if there is one (RFC 6891 6.1.1).
    pub fn edns(&self) -> Option<Edns> {
        self.additionals().find_map(|record| record.edns())
    }

    /// Return the twelve-bit response code: the header's four bits, and the
    /// OPT record's eight upper bits if there is one (RFC 6891 6.1.3).
    pub fn extended_rcode(&self) -> u16 {
        let upper = self.edns().map_or(0, |edns| u16::from(edns.extended_rcode));
        upper << 4 | u16::from(u8::from(self.header.rcode))
    }

    /// Return the bytes of the message.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Return the length of the message with every name uncompressed: what
    /// [`emit`](Self::emit) writes under [`Compression::Off`], and at least
    /// what it writes under [`Compression::On`].
    pub fn buffer_len(&self) -> usize {
        let questions: usize = self.questions().map(|q| q.wire_len()).sum();
        let records: usize = Section::ALL[1..]
            .iter()
            .flat_map(|&section| self.records(section))
            .map(|r| r.wire_len())
            .sum();
        HEADER_LEN + questions + records
    }

    /// Write the message into `buffer` with names compressed or not; return
    /// the length written. A buffer of [`buffer_len`](Self::buffer_len)
    /// bytes is always enough.
    ///
    /// Fails with [`DnsError::NoSpace`] if `buffer` is too small.
    pub fn emit(&self, buffer: &mut [u8], compression: Compression) -> Result<usize, DnsError> {
        let mut writer = MessageWriter::new(buffer, self.header, compression)?;
        for question in self.questions() {
            writer.question(&question)?;
        }
        for section in &Section::ALL[1..] {
            for record in self.records(*section) {
                writer.record(*section, &record)?;
            }
        }
        Ok(writer.finish())
    }

    /// Return an adaptor that prints the message as dig does: header,
    /// flags and counts, the OPT pseudo-section and every section.
    pub fn dig(&self) -> Dig<'_, 'a> {
        Dig(self)
    }
}

impl PartialEq for Message<'_> {
    fn eq(&self, other: &Message<'_>) -> bool {
        self.header == other.header
            && self.counts == other.counts
            && self.questions().eq(other.questions())
            && Section::ALL[1..]
                .iter()
                .all(|&s| self.records(s).eq(other.records(s)))
    }
}

impl Eq for Message<'_> {}

/// The questions of a [`Message`].
#[derive(Debug, Clone)]
pub struct Questions<'a> {
    message: &'a [u8],
    pos: usize,
    remaining: u16,
}

impl<'a> Iterator for Questions<'a> {
    type Item = Question<'a>;

    fn next(&mut self) -> Option<Question<'a>> {
        self.remaining = self.remaining.checked_sub(1)?;
        // NOTE: `Message::parse` checked every question, so this succeeds.
        let (question, next) = Question::parse(self.message, self.pos).ok()?;
        self.pos = next;
        Some(question)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(usize::from(self.remaining)))
    }
}

/// The records of one section of a [`Message`].
#[derive(Debug, Clone)]
pub struct Records<'a> {
    message: &'a [u8],
    pos: usize,
    remaining: u16,
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        self.remaining = self.remaining.checked_sub(1)?;
        // NOTE: `Message::parse` checked every record, so this succeeds.
        let (record, next) = Record::parse(self.message, self.pos).ok()?;
        self.pos = next;
        Some(record)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(usize::from(self.remaining)))
    }
}

impl fmt::Display for Message<'_> {
    /// Print one line, as tcpdump does: `DNS 4660+ A? example.com.` for a
    /// query; `DNS 4660* q: A? example.com. 1/0/1 A 192.0.2.1` for a
    /// response (`*` authoritative, `-` no recursion available, `|`
    /// truncated, then the RCODE unless NOERROR and the answers).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = &self.header;
        write!(f, "DNS {}", h.id)?;
        let marks = if h.qr {
            [(h.aa, "*"), (!h.ra, "-"), (h.tc, "|")]
        } else {
            [(h.rd, "+"), (h.tc, "|"), (false, "")]
        };
        for (_, mark) in marks.iter().filter(|(on, _)| *on) {
            f.write_str(mark)?;
        }
        if h.opcode != super::Opcode::Query {
            write!(f, " {}", h.opcode)?;
        }
        if h.qr && h.rcode != super::Rcode::NoError {
            write!(f, " {}", h.rcode)?;
        }
        let prefix = if h.qr { " q:" } else { "" };
        for (i, q) in self.questions().enumerate() {
            let sep = if i == 0 { prefix } else { "," };
            write!(f, "{sep} {}? {}", q.qtype, q.name)?;
        }
        if !h.qr {
            return Ok(());
        }
        let [_, an, ns, ar] = self.counts;
        write!(f, " {an}/{ns}/{ar}")?;
        for (i, record) in self.answers().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(f, "{sep} {} {}", record.rtype(), record.data)?;
        }
        Ok(())
    }
}

/// Prints a [`Message`] as dig does (see [`Message::dig`]).
#[derive(Debug, Clone, Copy)]
pub struct Dig<'m, 'a>(&'m Message<'a>);

impl fmt::Display for Dig<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.0;
        let h = message.header;
        let [qd, an, ns, ar] = message.counts;
        writeln!(
            f,
            ";; ->>HEADER<<- opcode: {}, status: {}, id: {}",
            h.opcode, h.rcode, h.id
        )?;
        f.write_str(";; flags:")?;
        h.write_flags(f)?;
        writeln!(
            f,
            "; QUERY: {qd}, ANSWER: {an}, AUTHORITY: {ns}, ADDITIONAL: {ar}"
        )?;
        let opt = message.additionals().find(|r| r.edns().is_some());
        if let Some(opt) = opt {
            writeln!(f, "\n;; OPT PSEUDOSECTION:\n{opt}")?;
        }
        writeln!(f, "\n;; QUESTION SECTION:")?;
        for question in message.questions() {
            writeln!(f, "{question}")?;
        }
        let titles = ["ANSWER", "AUTHORITY", "ADDITIONAL"];
        for (section, title) in Section::ALL[1..].iter().zip(titles) {
            let mut records = message.records(*section).filter(|r| r.edns().is_none());
            if let Some(first) = records.next() {
                writeln!(f, "\n;; {title} SECTION:\n{first}")?;
                for record in records {
                    writeln!(f, "{record}")?;
                }
            }
        }
        Ok(())
    }
}
