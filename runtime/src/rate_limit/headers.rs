//! What an answer says about the quota: `Retry-After` on a 429 or 503, the IETF
//! draft's `RateLimit` and `RateLimit-Policy` (both the structured form of draft 8 on,
//! `"default";r=0;t=30`, and the older `RateLimit-Remaining`/`-Reset`, `100;w=60`), and
//! the vendors' `X-RateLimit-Remaining`/`-Reset` (delta seconds, or epoch seconds as
//! GitHub sends them).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

use super::window::Rate;
use crate::retry::parse_retry_after;

/// What the server asked of the limiter.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Said {
    /// Send nothing for this long (a `Retry-After`, or no quota left until the reset).
    pub(crate) pause: Option<Duration>,
    /// The rate the server says it allows, from its policy.
    pub(crate) rate: Option<Rate>,
}

/// Reads what the answer of `status` with `headers` says about the quota.
pub(crate) fn read(status: u16, headers: &HeaderMap) -> Said {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let retry_after =
        matches!(status, 429 | 503).then(|| text("retry-after").and_then(parse_retry_after)).flatten();
    let exhausted = structured(text("ratelimit"))
        .and_then(|params| (param(&params, "r")? == 0).then(|| param(&params, "t")))
        .flatten()
        .map(Duration::from_secs)
        .or_else(|| used_up(text("ratelimit-remaining"), text("ratelimit-reset")))
        .or_else(|| used_up(text("x-ratelimit-remaining"), text("x-ratelimit-reset")));
    Said { pause: retry_after.max(exhausted), rate: policy(text("ratelimit-policy")) }
}

/// The reset of a quota whose `remaining` is 0.
fn used_up(remaining: Option<&str>, reset: Option<&str>) -> Option<Duration> {
    (remaining?.trim().parse::<u64>().ok()? == 0).then(|| reset_in(reset?)).flatten()
}

/// A reset as delta seconds, or as a Unix time in seconds (or milliseconds), which no
/// delta comes near.
fn reset_in(reset: &str) -> Option<Duration> {
    let value = reset.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    let seconds = match value {
        v if v > 1e12 => v / 1000.0 - now,
        v if v > 1e9 => v - now,
        v => v,
    };
    Some(Duration::from_secs_f64(seconds.clamp(0.0, 86_400.0)))
}

/// `RateLimit-Policy`'s first policy: `q` (or the bare number of the older drafts) per
/// `w` seconds.
fn policy(value: Option<&str>) -> Option<Rate> {
    let params = structured(value)?;
    let limit = param(&params, "q").or_else(|| params.first()?.parse().ok())?;
    let seconds = param(&params, "w")?;
    Some(Rate { limit: u32::try_from(limit).ok()?, period: Duration::from_secs(seconds.max(1)) })
}

/// The first item of a list (`"default";r=0;t=30, "burst";…`): its parts.
fn structured(value: Option<&str>) -> Option<Vec<&str>> {
    let first = value?.split(',').next()?;
    Some(first.split(';').map(str::trim).collect())
}

fn param(params: &[&str], name: &str) -> Option<u64> {
    params.iter().find_map(|part| part.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(status: u16, headers: &[(&'static str, &str)]) -> Said {
        let headers = headers
            .iter()
            .map(|(name, value)| (reqwest::header::HeaderName::from_static(name), value.parse().unwrap()));
        read(status, &headers.collect())
    }

    fn secs(seconds: u64) -> Option<Duration> {
        Some(Duration::from_secs(seconds))
    }

    #[test]
    fn retry_after_pauses_only_a_429_or_503() {
        assert_eq!(said(429, &[("retry-after", "2")]).pause, secs(2));
        assert_eq!(said(503, &[("retry-after", "7")]).pause, secs(7));
        assert_eq!(said(200, &[("retry-after", "2")]).pause, None);
    }

    #[test]
    fn a_quota_used_up_pauses_until_its_reset_in_every_form() {
        assert_eq!(said(200, &[("ratelimit", r#""default";r=0;t=30"#)]).pause, secs(30));
        assert_eq!(said(200, &[("ratelimit", r#""default";r=3;t=30"#)]).pause, None);
        assert_eq!(said(200, &[("ratelimit-remaining", "0"), ("ratelimit-reset", "12")]).pause, secs(12));
        assert_eq!(said(200, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "5")]).pause, secs(5));
        let epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 60;
        let pause =
            said(200, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", &epoch.to_string())]).pause;
        assert!(pause.is_some_and(|p| p > secs(58).unwrap() && p <= secs(60).unwrap()), "{pause:?}");
        assert_eq!(said(200, &[("x-ratelimit-remaining", "4"), ("x-ratelimit-reset", "5")]).pause, None);
        // The longer of two reasons wins.
        assert_eq!(
            said(429, &[("retry-after", "2"), ("ratelimit-remaining", "0"), ("ratelimit-reset", "9")]).pause,
            secs(9)
        );
    }

    #[test]
    fn a_policy_gives_the_rate_in_both_drafts_forms() {
        let rate = |limit, seconds| Some(Rate { limit, period: Duration::from_secs(seconds) });
        assert_eq!(said(200, &[("ratelimit-policy", r#""default";q=100;w=60"#)]).rate, rate(100, 60));
        assert_eq!(said(200, &[("ratelimit-policy", "10;w=1, 1000;w=3600")]).rate, rate(10, 1));
        assert_eq!(said(200, &[("ratelimit-policy", "garbage")]).rate, None);
        assert_eq!(
            said(200, &[("x-ratelimit-remaining", "zero"), ("x-ratelimit-reset", "-3")]),
            Said::default()
        );
    }
}
