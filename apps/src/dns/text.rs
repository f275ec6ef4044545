//! Presentation-format helpers (RFC 1035 5.1): escaped labels, quoted
//! character-strings and hexadecimal, written without allocating.

use core::fmt;

/// Write a label's bytes, escaping what would change its meaning in a zone
/// file: `.`, `\`, `"`, `(`, `)`, `;`, `@` and `$` as `\c`, and bytes that
/// are not printable ASCII as `\DDD` (as dig prints them).
pub(crate) fn write_label(f: &mut dyn fmt::Write, label: &[u8]) -> fmt::Result {
    for &byte in label {
        match byte {
            b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$' => {
                f.write_char('\\')?;
                f.write_char(char::from(byte))?;
            }
            0x21..=0x7e => f.write_char(char::from(byte))?,
            _ => write!(f, "\\{byte:03}")?,
        }
    }
    Ok(())
}

/// Write a character-string in double quotes, escaping `"` and `\` as
/// `\c` and unprintable bytes as `\DDD` (RFC 1035 5.1).
pub(crate) fn write_quoted(f: &mut dyn fmt::Write, string: &[u8]) -> fmt::Result {
    f.write_char('"')?;
    for &byte in string {
        match byte {
            b'"' | b'\\' => {
                f.write_char('\\')?;
                f.write_char(char::from(byte))?;
            }
            0x20..=0x7e => f.write_char(char::from(byte))?,
            _ => write!(f, "\\{byte:03}")?,
        }
    }
    f.write_char('"')
}

/// Write bytes as lowercase hexadecimal, two digits a byte.
pub(crate) fn write_hex(f: &mut dyn fmt::Write, bytes: &[u8]) -> fmt::Result {
    for byte in bytes {
        write!(f, "{byte:02x}")?;
    }
    Ok(())
}
