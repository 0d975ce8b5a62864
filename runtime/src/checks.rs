//! Documented limits, checked before anything is sent. Messages name the field and
//! the limit, never the value (it may be a secret). Each check is one call on the value
//! as generated code holds it: text or a secret, a number, or either where it may be
//! absent (then there is nothing to check).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::Regex;

use crate::error::ValidationError;
use crate::secret::Secret;

/// A value whose length and pattern are checked: its text, if it has one.
pub trait Text {
    /// The text, or `None` for an absent value.
    fn text(&self) -> Option<&str>;
}

impl Text for str {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl Text for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl Text for Secret {
    fn text(&self) -> Option<&str> {
        Some(self.expose_secret())
    }
}

impl<T: Text> Text for Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(Text::text)
    }
}

/// A value whose range is checked: the number, if it has one.
pub trait Number {
    /// The number, or `None` for an absent value.
    fn number(&self) -> Option<f64>;
}

macro_rules! number {
    ($($ty:ty),*) => {$(
        impl Number for $ty {
            fn number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}
number!(i32, i64, f64);

impl<T: Number> Number for Option<T> {
    fn number(&self) -> Option<f64> {
        self.as_ref().and_then(Number::number)
    }
}

fn invalid(field: &str, problem: String) -> Result<(), ValidationError> {
    Err(ValidationError { field: field.to_string(), problem })
}

/// `maxLength`, in characters.
pub fn check_max_length<T: Text + ?Sized>(
    field: &'static str,
    value: &T,
    max: usize,
) -> Result<(), ValidationError> {
    let Some(value) = value.text() else { return Ok(()) };
    let length = value.chars().count();
    if length > max {
        return invalid(field, format!("is {length} characters long; the spec allows at most {max}"));
    }
    Ok(())
}

/// `minLength`, in characters.
pub fn check_min_length<T: Text + ?Sized>(
    field: &'static str,
    value: &T,
    min: usize,
) -> Result<(), ValidationError> {
    let Some(value) = value.text() else { return Ok(()) };
    let length = value.chars().count();
    if length < min {
        return invalid(field, format!("is {length} characters long; the spec requires at least {min}"));
    }
    Ok(())
}

/// `pattern`. Compiled once per pattern; one the `regex` crate cannot compile (some
/// ECMA-262 features) is reported, not ignored.
pub fn check_pattern<T: Text + ?Sized>(
    field: &'static str,
    value: &T,
    pattern: &'static str,
) -> Result<(), ValidationError> {
    let Some(value) = value.text() else { return Ok(()) };
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Result<Regex, String>>>> = OnceLock::new();
    let mut cache =
        CACHE.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let compiled = cache.entry(pattern).or_insert_with(|| Regex::new(pattern).map_err(|e| e.to_string()));
    match compiled {
        Ok(regex) if regex.is_match(value) => Ok(()),
        Ok(_) => invalid(field, format!("does not match the pattern `{pattern}`")),
        Err(reason) => invalid(
            field,
            format!("cannot be checked: the spec's pattern `{pattern}` is not supported ({reason})"),
        ),
    }
}

/// `minimum` and `maximum`, inclusive.
pub fn check_range<T: Number + ?Sized>(
    field: &'static str,
    value: &T,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<(), ValidationError> {
    let Some(value) = value.number() else { return Ok(()) };
    if let Some(min) = min.filter(|min| value < *min) {
        return invalid(field, format!("is below the minimum of {min}"));
    }
    if let Some(max) = max.filter(|max| value > *max) {
        return invalid(field, format!("is above the maximum of {max}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_and_limit_not_the_value() {
        let long = "x".repeat(120);
        assert_eq!(
            check_max_length("clientId", &long, 100).unwrap_err().to_string(),
            "`clientId` is 120 characters long; the spec allows at most 100"
        );
        assert!(check_max_length("clientId", &"é".repeat(100), 100).is_ok(), "characters, not bytes");
        assert_eq!(
            check_min_length("pin", "12", 4).unwrap_err().to_string(),
            "`pin` is 2 characters long; the spec requires at least 4"
        );
        assert_eq!(
            check_pattern("code", "abc", "^[0-9]+$").unwrap_err().to_string(),
            "`code` does not match the pattern `^[0-9]+$`"
        );
        assert!(check_pattern("code", "123", "^[0-9]+$").is_ok());
        assert!(check_pattern("code", "1", "(?<=a)b").unwrap_err().problem.starts_with("cannot be checked"));
        assert_eq!(
            check_range("n", &0, Some(1.0), None).unwrap_err().to_string(),
            "`n` is below the minimum of 1"
        );
        assert_eq!(
            check_range("n", &11.5, None, Some(10.0)).unwrap_err().to_string(),
            "`n` is above the maximum of 10"
        );
    }

    #[test]
    fn an_absent_value_has_nothing_to_check_and_a_secret_is_checked_as_its_text() {
        let absent: Option<String> = None;
        assert!(check_max_length("a", &absent, 0).is_ok());
        assert!(check_pattern("a", &absent, "^x$").is_ok());
        assert!(check_range("n", &None::<i64>, Some(1.0), None).is_ok());
        assert!(check_min_length("a", &Some("ab".to_string()), 3).is_err());
        assert!(check_range("n", &Some(0i32), Some(1.0), None).is_err());
        let secret = Secret::from("12");
        assert_eq!(
            check_min_length("pin", &secret, 4).unwrap_err().to_string(),
            "`pin` is 2 characters long; the spec requires at least 4"
        );
    }
}
