//! From YAML text to a typed [`Script`]: serde reads the structure, then
//! each value's mini-language is parsed and every error is located in the
//! file.

use serde_saphyr::{
    DefaultMessageFormatter, Error as YamlError, Location, MessageFormatter, Spanned,
};

use super::call::{parse_call, Call};
use super::config::{Config, RawConfig};
use super::error::{ErrorKind, ScriptError, Source};
use super::lower::{self, parse_arp, parse_frame, parse_icmp, parse_udp};
use super::raw::{RawScript, RawStep};
use super::refs::{Ref, RefError};
use super::step::{Action, Override, Step, TargetName, TcpState};
use super::time::{self, parse_duration, parse_time_bound, parse_within, TimeBound};
use super::Script;
use crate::notation::cursor::Cursor;
use crate::notation::{parse_inbound, parse_segment, SyntaxError};

/// The keys that name a step's kind, in the order the docs list them.
pub const STEP_KINDS: &[&str] = &[
    "in",
    "out",
    "call",
    "state",
    "wait",
    "silent",
    "arp_in",
    "arp_out",
    "icmp_in",
    "icmp_out",
    "udp_in",
    "udp_out",
    "frame_in",
    "frame_out",
];

/// What an unknown step kind is reported as expecting.
const EXPECTED_KIND: &str = "a step kind: in, out, call, state, wait, silent, arp_in, arp_out, \
                             icmp_in, icmp_out, udp_in, udp_out, frame_in or frame_out";

/// Load a script from its text; `file` names it in errors.
pub(crate) fn load(file: &str, text: &str) -> Result<Script, ScriptError> {
    let src = Source { file, text };
    let raw: RawScript = serde_saphyr::from_str(text).map_err(|e| yaml_error(&src, &e))?;
    let refs = raw
        .refs
        .iter()
        .map(|r| load_ref(&src, r))
        .collect::<Result<Vec<_>, _>>()?;
    let config = load_config(&src, raw.config)?;
    let steps = raw
        .steps
        .iter()
        .map(|s| load_step(&src, s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Script {
        file: file.to_owned(),
        source: text.to_owned(),
        name: raw.name.value,
        about: raw.about,
        refs,
        tags: raw.tags,
        config,
        steps,
    })
}

/// Turn a serde-saphyr error into a located [`ScriptError`].
fn yaml_error(src: &Source<'_>, err: &YamlError) -> ScriptError {
    let mut err = err.without_snippet();
    while let YamlError::AliasError { error, .. } = err {
        err = error.without_snippet();
    }
    let location = err.location().unwrap_or(Location::UNKNOWN);
    let len = location.span().byte_len().unwrap_or(1) as usize;
    let token = || found_token(src, &location, len);
    let (kind, expected, found) = match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (
            ErrorKind::UnknownKey,
            format!("one of {}", expected.join(", ")),
            Some(format!("`{field}`")),
        ),
        YamlError::SerdeMissingField { field, .. } => (
            ErrorKind::MissingKey,
            format!("a `{field}:` key"),
            Some("none".to_owned()),
        ),
        YamlError::DuplicateMappingKey { key, .. } => (
            ErrorKind::DuplicateKey,
            "each key once per mapping".to_owned(),
            Some(
                key.as_deref()
                    .map_or_else(token, |k| format!("`{k}` again")),
            ),
        ),
        YamlError::SerdeInvalidType {
            expected,
            unexpected,
            ..
        }
        | YamlError::SerdeInvalidValue {
            expected,
            unexpected,
            ..
        } => (
            ErrorKind::WrongType,
            expected.clone(),
            Some(unexpected.clone()),
        ),
        YamlError::Unexpected { expected, .. } => {
            (ErrorKind::WrongType, (*expected).to_owned(), Some(token()))
        }
        YamlError::InvalidScalar { ty, .. } => {
            (ErrorKind::WrongType, format!("a {ty}"), Some(token()))
        }
        other => (
            ErrorKind::YamlSyntax,
            DefaultMessageFormatter.format_message(other).into_owned(),
            None,
        ),
    };
    src.error_at(kind, &location, len, expected, found)
}

/// Describe the YAML token at a location: a quoted scalar, or the kind of
/// collection that starts there.
fn found_token(src: &Source<'_>, location: &Location, len: usize) -> String {
    let start = src.offset(location);
    let text = src.text.get(start..).unwrap_or("");
    match text.chars().next() {
        None => "end of file".to_owned(),
        Some('[') | Some('-') => "a sequence".to_owned(),
        Some('{') => "a mapping".to_owned(),
        Some(_) => {
            let token = text.get(..len.max(1)).unwrap_or(text);
            format!("`{}`", token.lines().next().unwrap_or(""))
        }
    }
}

/// Parse one `refs` entry.
fn load_ref(src: &Source<'_>, r: &Spanned<String>) -> Result<Ref, ScriptError> {
    Ref::parse(&r.value).map_err(|e| {
        let (kind, expected) = match e {
            RefError::Malformed => (
                ErrorKind::BadRef,
                "`rfcN`, `rfcN#section` or an RFC 9293 Appendix B id such as MUST-10",
            ),
            RefError::Unknown => (
                ErrorKind::UnknownRequirement,
                "an id listed in conformance/rfc9293-appendix-b.md",
            ),
        };
        let found = Some(format!("`{}`", r.value));
        src.error_at(
            kind,
            &r.referenced,
            scalar_len(src, &r.referenced, &r.value),
            expected,
            found,
        )
    })
}

/// Return how many bytes of the text a scalar spans (at least its value).
fn scalar_len(src: &Source<'_>, location: &Location, value: &str) -> usize {
    let start = src.offset(location);
    let quoted = src
        .text
        .get(start..)
        .is_some_and(|t| t.starts_with(['"', '\'']));
    value.len() + if quoted { 2 } else { 0 }
}

/// Parse a spanned text with a mini-language parser, locating its error.
fn parse_spanned<T>(
    src: &Source<'_>,
    kind: ErrorKind,
    value: &Spanned<String>,
    parse: impl FnOnce(&str) -> Result<T, SyntaxError>,
) -> Result<T, ScriptError> {
    parse(&value.value).map_err(|e| syntax_error(src, kind, &value.referenced, &value.value, &e))
}

/// Locate a mini-language error; a bad address is [`ErrorKind::BadAddress`]
/// whatever the grammar.
fn syntax_error(
    src: &Source<'_>,
    kind: ErrorKind,
    location: &Location,
    value: &str,
    e: &SyntaxError,
) -> ScriptError {
    let kind = if e.is_address() {
        ErrorKind::BadAddress
    } else {
        kind
    };
    src.syntax_error(kind, location, value, e)
}

/// Read the `config` block over the defaults.
fn load_config(src: &Source<'_>, raw: RawConfig) -> Result<Config, ScriptError> {
    let mut config = Config::default();
    let d = Config::default();
    config.timestamps = raw.timestamps.unwrap_or(d.timestamps);
    config.sack = raw.sack.unwrap_or(d.sack);
    config.window_scaling = raw.window_scaling.unwrap_or(d.window_scaling);
    config.wscale = raw.wscale.unwrap_or(d.wscale);
    config.mss = raw.mss.unwrap_or(d.mss);
    config.mtu = raw.mtu.unwrap_or(d.mtu);
    config.initial_window = raw.initial_window.or(d.initial_window);
    config.challenge_ack_limit = raw.challenge_ack_limit.unwrap_or(d.challenge_ack_limit);
    config.ecn = raw.ecn.unwrap_or(d.ecn);
    config.nodelay = raw.nodelay.unwrap_or(d.nodelay);
    config.linux_syn_retries = raw.linux_syn_retries.or(d.linux_syn_retries);
    config.rcv_buf = raw.rcv_buf.unwrap_or(d.rcv_buf);
    config.snd_buf = raw.snd_buf.unwrap_or(d.snd_buf);
    let fixed = |value: Option<Spanned<String>>, default| -> Result<_, ScriptError> {
        let Some(value) = value else {
            return Ok(default);
        };
        let duration = parse_spanned(src, ErrorKind::BadDuration, &value, parse_duration)?;
        match duration {
            time::Duration::Fixed(d) => Ok(d),
            time::Duration::Msl(_) => Err(syntax_error(
                src,
                ErrorKind::BadDuration,
                &value.referenced,
                &value.value,
                &SyntaxError {
                    at: 0,
                    end: value.value.len(),
                    expected: "a fixed duration (not in msl)",
                },
            )),
        }
    };
    config.msl = fixed(raw.msl, d.msl)?;
    config.rto_initial = fixed(raw.rto_initial, d.rto_initial)?;
    config.rto_min = fixed(raw.rto_min, d.rto_min)?;
    config.tolerance = fixed(raw.tolerance, d.tolerance)?;
    let ip = |value: Option<Spanned<String>>, default| match value {
        None => Ok(default),
        Some(v) => parse_spanned(src, ErrorKind::BadAddress, &v, |t| whole(t, |c| c.ipv4())),
    };
    config.local = ip(raw.local, d.local)?;
    config.remote = ip(raw.remote, d.remote)?;
    let mac = |value: Option<Spanned<String>>, default| match value {
        None => Ok(default),
        Some(v) => parse_spanned(src, ErrorKind::BadAddress, &v, |t| whole(t, lower::mac)),
    };
    config.local_mac = mac(raw.local_mac, d.local_mac)?;
    config.remote_mac = mac(raw.remote_mac, d.remote_mac)?;
    Ok(config)
}

/// Run `read` over the whole of `text`.
fn whole<T>(
    text: &str,
    read: impl FnOnce(&mut Cursor<'_>) -> Result<T, SyntaxError>,
) -> Result<T, SyntaxError> {
    let mut cursor = Cursor::new(text);
    let value = read(&mut cursor)?;
    cursor.end("the end of the value")?;
    Ok(value)
}

/// A key of a step and its value.
type Entry<'a> = (&'a Spanned<String>, &'a Spanned<Option<String>>);

/// The keys of a step, sorted into their roles.
#[derive(Default)]
struct StepKeys<'a> {
    kind: Option<Entry<'a>>,
    at: Option<&'a Spanned<Option<String>>>,
    within: Option<&'a Spanned<Option<String>>>,
    socket: Option<&'a Spanned<Option<String>>>,
    data: Option<Entry<'a>>,
    why: Option<Entry<'a>>,
    overrides: Vec<(TargetName, Entry<'a>)>,
}

/// Sort a step's keys, rejecting unknown ones and a second kind.
fn sort_keys<'a>(src: &Source<'_>, step: &'a RawStep) -> Result<StepKeys<'a>, ScriptError> {
    let mut keys = StepKeys::default();
    for (index, (key, value)) in step.0.iter().enumerate() {
        let name = key.value.as_str();
        let len = scalar_len(src, &key.referenced, name);
        if STEP_KINDS.contains(&name) {
            if let Some((first, _)) = keys.kind {
                let expected = format!("one step kind per step (this one is `{}`)", first.value);
                let found = Some(format!("`{name}`"));
                return Err(src.error_at(
                    ErrorKind::BadStep,
                    &key.referenced,
                    len,
                    expected,
                    found,
                ));
            }
            keys.kind = Some((key, value));
            continue;
        }
        match name {
            "at" => keys.at = Some(value),
            "within" => keys.within = Some(value),
            "socket" => keys.socket = Some(value),
            "data" => keys.data = Some((key, value)),
            "why" => keys.why = Some((key, value)),
            _ => match TargetName::from_name(name) {
                Some(target) => keys.overrides.push((target, (key, value))),
                None => {
                    let (kind, expected) = if index == 0 {
                        (ErrorKind::UnknownStepKind, EXPECTED_KIND)
                    } else {
                        (
                            ErrorKind::UnknownKey,
                            "at, within, socket, data, why, linux or reference_tap",
                        )
                    };
                    let found = Some(format!("`{name}`"));
                    return Err(src.error_at(kind, &key.referenced, len, expected, found));
                }
            },
        }
    }
    Ok(keys)
}

/// Load one step.
fn load_step(src: &Source<'_>, step: &Spanned<RawStep>) -> Result<Step, ScriptError> {
    let keys = sort_keys(src, &step.value)?;
    let Some((kind_key, value)) = keys.kind else {
        return Err(match step.value.0.first() {
            Some((key, _)) => {
                let len = scalar_len(src, &key.referenced, &key.value);
                let found = Some(format!("`{}`", key.value));
                src.error_at(
                    ErrorKind::BadStep,
                    &key.referenced,
                    len,
                    EXPECTED_KIND,
                    found,
                )
            }
            None => src.error_at(
                ErrorKind::BadStep,
                &step.referenced,
                1,
                EXPECTED_KIND,
                Some("an empty step".to_owned()),
            ),
        });
    };
    let kind = kind_key.value.as_str();
    let text = required(src, kind_key, value)?;
    let (prefix, action) = load_action(src, kind, value, text)?;
    let time = load_time(src, kind_key, &keys, prefix)?;
    let socket = load_socket(src, kind, keys.socket)?;
    let mut overrides = Vec::new();
    for &(target, (key, value)) in &keys.overrides {
        let action = match &value.value {
            None => None,
            Some(text) => Some(load_action(src, kind, value, text)?.1),
        };
        overrides.push(Override {
            target,
            pos: src.pos(src.offset(&key.referenced)),
            action,
        });
    }
    let why = load_why(src, &keys)?;
    let data = load_data(src, &keys, &action)?;
    Ok(Step {
        pos: src.pos(src.offset(&kind_key.referenced)),
        value_pos: src.pos(src.offset(&value.referenced)),
        action,
        time,
        socket,
        data,
        overrides,
        why,
    })
}

/// Read `data:`, the bytes of an `in` or `out` segment or of a `write` or
/// `read` call, as the UTF-8 bytes of the YAML string (double quotes take
/// escapes such as `\r\n`). Their length must be the segment's length, the
/// write's, or at most the read's.
fn load_data(
    src: &Source<'_>,
    keys: &StepKeys<'_>,
    action: &Action,
) -> Result<Option<Vec<u8>>, ScriptError> {
    let Some((key, value)) = keys.data else {
        return Ok(None);
    };
    let bytes = required(src, key, value)?.as_bytes().to_vec();
    let len = bytes.len() as u64;
    let fits = match action {
        Action::In(p) | Action::Out(p) => u64::from(p.len) == len,
        Action::Call(c) => match c.call {
            Call::Write { len: n, .. } => u64::from(n) == len,
            Call::Read { len: n, .. } => len <= u64::from(n),
            _ => false,
        },
        _ => false,
    };
    if fits {
        return Ok(Some(bytes));
    }
    let expected = "`data` on an `in` or `out` segment of the same length, a `write(N)` \
                    of N bytes, or a `read(N)` of at most N";
    let found = Some(format!("{len} bytes of data for `{action}`"));
    Err(src.error_at(ErrorKind::BadStep, &key.referenced, 4, expected, found))
}

/// Return a key's value, which must not be null.
fn required<'a>(
    src: &Source<'_>,
    key: &Spanned<String>,
    value: &'a Spanned<Option<String>>,
) -> Result<&'a str, ScriptError> {
    value.value.as_deref().ok_or_else(|| {
        let expected = format!("a value after `{}:`", key.value);
        src.error_at(
            ErrorKind::WrongType,
            &key.referenced,
            key.value.len(),
            expected,
            Some("nothing".to_owned()),
        )
    })
}

/// Check `why` against the overrides: one exactly when the other is there.
fn load_why(src: &Source<'_>, keys: &StepKeys<'_>) -> Result<Option<String>, ScriptError> {
    match (keys.why, keys.overrides.first()) {
        (None, Some((target, (key, _)))) => {
            let expected = format!("a `why:` beside `{target}:` saying why the target diverges");
            Err(src.error_at(
                ErrorKind::MissingWhy,
                &key.referenced,
                target.name().len(),
                expected,
                Some("none".to_owned()),
            ))
        }
        (Some((key, _)), None) => {
            let expected = "`why` only beside a per-target override (`linux:`)";
            Err(src.error_at(
                ErrorKind::StrayWhy,
                &key.referenced,
                3,
                expected,
                Some("no override".to_owned()),
            ))
        }
        (Some((key, value)), Some(_)) => Ok(Some(required(src, key, value)?.to_owned())),
        (None, None) => Ok(None),
    }
}

/// Read `socket: N` (for calls, states and segments only).
fn load_socket(
    src: &Source<'_>,
    kind: &str,
    value: Option<&Spanned<Option<String>>>,
) -> Result<Option<u32>, ScriptError> {
    let Some(value) = value else { return Ok(None) };
    let text = value.value.as_deref().unwrap_or("");
    if !matches!(kind, "call" | "state" | "in" | "out") {
        let expected = "`socket` only on call, state, in and out steps";
        return Err(src.error_at(
            ErrorKind::BadStep,
            &value.referenced,
            text.len(),
            expected,
            Some(format!("a `{kind}` step")),
        ));
    }
    let spanned = Spanned {
        value: text.to_owned(),
        referenced: value.referenced,
        defined: value.defined,
    };
    parse_spanned(src, ErrorKind::BadSocket, &spanned, |t| {
        whole(t, |c| c.number("a socket id (a number)"))
    })
    .map(Some)
}

/// Parse a step's value as `kind`. For `in`, `out` and `call`, a leading
/// packetdrill time (`+0.2 S. 0:0(0) ...`) is split off and returned.
fn load_action(
    src: &Source<'_>,
    kind: &str,
    value: &Spanned<Option<String>>,
    text: &str,
) -> Result<(Option<TimeBound>, Action), ScriptError> {
    let fail =
        |kind: ErrorKind, e: SyntaxError| syntax_error(src, kind, &value.referenced, text, &e);
    let (prefix, offset) = if matches!(kind, "in" | "out" | "call") {
        time_prefix(text).map_err(|e| fail(ErrorKind::BadTime, e))?
    } else {
        (None, 0)
    };
    let body = &text[offset..];
    let parse = |error: ErrorKind, result: Result<Action, SyntaxError>| {
        result.map_err(|e| fail(error, e.shifted(offset)))
    };
    let action = match kind {
        "in" => parse(ErrorKind::BadNotation, parse_inbound(body).map(Action::In)),
        "out" => parse(ErrorKind::BadNotation, parse_segment(body).map(Action::Out)),
        "call" => parse(ErrorKind::BadCall, parse_call(body).map(Action::Call)),
        "state" => parse(ErrorKind::BadState, parse_state(body).map(Action::State)),
        "wait" => parse(
            ErrorKind::BadDuration,
            parse_duration(body).map(Action::Wait),
        ),
        "silent" => parse(
            ErrorKind::BadDuration,
            parse_duration(body).map(Action::Silent),
        ),
        "arp_in" => parse(ErrorKind::BadArp, parse_arp(body).map(Action::ArpIn)),
        "arp_out" => parse(ErrorKind::BadArp, parse_arp(body).map(Action::ArpOut)),
        "icmp_in" => parse(ErrorKind::BadIcmp, parse_icmp(body).map(Action::IcmpIn)),
        "icmp_out" => parse(ErrorKind::BadIcmp, parse_icmp(body).map(Action::IcmpOut)),
        "udp_in" => parse(ErrorKind::BadUdp, parse_udp(body).map(Action::UdpIn)),
        "udp_out" => parse(ErrorKind::BadUdp, parse_udp(body).map(Action::UdpOut)),
        "frame_in" => parse(
            ErrorKind::BadFrame,
            parse_frame(body, false).map(Action::FrameIn),
        ),
        _ => parse(
            ErrorKind::BadFrame,
            parse_frame(body, true).map(Action::FrameOut),
        ),
    }?;
    Ok((prefix, action))
}

/// Split a packetdrill time off the front of a value: a first word that
/// starts with a digit, `+` or `*`. Return it and where the rest starts.
fn time_prefix(text: &str) -> Result<(Option<TimeBound>, usize), SyntaxError> {
    let mut cursor = Cursor::new(text);
    match cursor.peek() {
        Some(c) if c.is_ascii_digit() || c == '+' || c == '*' => {
            let bound = time::time_bound(&mut cursor)?;
            Ok((Some(bound), cursor.pos()))
        }
        _ => Ok((None, 0)),
    }
}

/// Parse a TCP state name.
fn parse_state(text: &str) -> Result<TcpState, SyntaxError> {
    TcpState::parse(text).ok_or_else(|| {
        let start = text.len() - text.trim_start().len();
        SyntaxError {
            at: start,
            end: text.trim_end().len().max(start),
            expected: "a TCP state: CLOSED, LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, \
                       FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK or TIME-WAIT",
        }
    })
}

/// Work out a step's time bound from `at`, `within` and a prefix.
fn load_time(
    src: &Source<'_>,
    kind_key: &Spanned<String>,
    keys: &StepKeys<'_>,
    prefix: Option<TimeBound>,
) -> Result<TimeBound, ScriptError> {
    let timeless = matches!(kind_key.value.as_str(), "wait" | "silent");
    let given =
        [keys.at, keys.within].into_iter().flatten().count() + usize::from(prefix.is_some());
    if given > 1 || (timeless && given > 0) {
        let expected = if timeless {
            "no time bound on `wait` or `silent` (they are durations)"
        } else {
            "one time bound: `at`, `within` or a `+0.2` prefix"
        };
        let at = keys
            .at
            .or(keys.within)
            .map_or(&kind_key.referenced, |v| &v.referenced);
        return Err(src.error_at(ErrorKind::BadStep, at, 1, expected, Some("more".to_owned())));
    }
    if let Some(bound) = prefix {
        return Ok(bound);
    }
    if let Some(at) = keys.at {
        let text = at.value.as_deref().unwrap_or("");
        return parse_time_bound(text)
            .map_err(|e| syntax_error(src, ErrorKind::BadTime, &at.referenced, text, &e));
    }
    if let Some(within) = keys.within {
        let text = within.value.as_deref().unwrap_or("");
        return parse_within(text)
            .map_err(|e| syntax_error(src, ErrorKind::BadDuration, &within.referenced, text, &e));
    }
    Ok(TimeBound::Any)
}
