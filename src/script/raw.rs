//! The script as serde reads it: structure and spans, no mini-languages.

use core::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::config::RawConfig;

/// The top level of a script file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScript {
    pub name: Spanned<String>,
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub refs: Vec<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub config: RawConfig,
    pub steps: Vec<Spanned<RawStep>>,
}

/// A step: its keys in order, each with its scalar value (`None` for null).
///
/// Read by hand rather than with `deny_unknown_fields`, so that the loader
/// can tell an unknown step kind (the first key) from an unknown modifier.
#[derive(Debug)]
pub(crate) struct RawStep(pub Vec<(Spanned<String>, Spanned<Option<String>>)>);

impl<'de> Deserialize<'de> for RawStep {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawStep, D::Error> {
        deserializer.deserialize_map(StepVisitor)
    }
}

/// Reads a step mapping.
struct StepVisitor;

impl<'de> Visitor<'de> for StepVisitor {
    type Value = RawStep;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a step: a mapping such as `in: S 0:0(0) win 65535`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawStep, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<Option<String>>>()?;
            entries.push((key, value));
        }
        Ok(RawStep(entries))
    }
}
