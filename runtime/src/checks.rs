//! Documented limits, checked before anything is sent. Messages name the field and
//! the limit, never the value (it may be a secret).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::Regex;

use crate::error::ValidationError;

fn invalid(field: &str, problem: String) -> Result<(), ValidationError> {
    Err(ValidationError { field: field.to_string(), problem })
}

/// `maxLength`, in characters.
pub fn check_max_length(field: &'static str, value: &str, max: usize) -> Result<(), ValidationError> {
    let length = value.chars().count();
    if length > max {
        return invalid(field, format!("is {length} characters long; the spec allows at most {max}"));
    }
    Ok(())
}

/// `minLength`, in characters.
pub fn check_min_length(field: &'static str, value: &str, min: usize) -> Result<(), ValidationError> {
    let length = value.chars().count();
    if length < min {
        return invalid(field, format!("is {length} characters long; the spec requires at least {min}"));
    }
    Ok(())
}

/// `pattern`. Compiled once per pattern; one the `regex` crate cannot compile (some
/// ECMA-262 features) is reported, not ignored.
pub fn check_pattern(field: &'static str, value: &str, pattern: &'static str) -> Result<(), ValidationError> {
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
pub fn check_range(
    field: &'static str,
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<(), ValidationError> {
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
            check_range("n", 0.0, Some(1.0), None).unwrap_err().to_string(),
            "`n` is below the minimum of 1"
        );
        assert_eq!(
            check_range("n", 11.0, None, Some(10.0)).unwrap_err().to_string(),
            "`n` is above the maximum of 10"
        );
    }
}
