//! Enumerated values of the rules vocabulary written as their stable codes (`"committee"`,
//! `"members_congress"`, …) and read back strictly: an unknown code is an error naming the value, never
//! a default. Used as `#[serde(with = "crate::codes")]`.

use baucu_rules::assembly::{AssemblyKind, Exclusion, Level};
use baucu_rules::ballot::InvalidReason;
use baucu_rules::election::{Body, Purpose};
use baucu_rules::outcome::{NextStep, Outcome};
use serde::{Deserialize as _, Deserializer, Serializer};

/// A value with a stable code.
pub trait Code: Sized + Copy {
    fn code(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self>;
}

macro_rules! code {
    ($($t:ty),*) => {$(
        impl Code for $t {
            fn code(self) -> &'static str {
                <$t>::code(self)
            }
            fn from_code(code: &str) -> Option<Self> {
                <$t>::from_code(code)
            }
        }
    )*};
}

code!(AssemblyKind, Exclusion, Level, InvalidReason, Body, Purpose, NextStep, Outcome);

pub fn serialize<T: Code, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(value.code())
}

pub fn deserialize<'de, T: Code, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    let text = String::deserialize(d)?;
    T::from_code(&text).ok_or_else(|| serde::de::Error::custom(format!("giá trị không biết: \"{text}\"")))
}
