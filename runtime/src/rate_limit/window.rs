//! The in-process limiter: a sliding log of the last `limit` grants, each request
//! given the earliest time at which it keeps every rolling window to `limit`.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// A rate: at most `limit` requests in any rolling `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rate {
    pub(crate) limit: u32,
    pub(crate) period: Duration,
}

impl Rate {
    /// The even spacing of a backlog: one request every `period / limit`, and a tenth
    /// of that more (91 % of the rate), so that requests a busy machine or the network
    /// delays by up to four spacings do not crowd a server's second.
    pub(crate) fn spacing(self) -> Duration {
        let even = self.period / self.limit.max(1);
        even + even / 10
    }

    /// True when `self` allows fewer requests per second than `other`.
    pub(crate) fn is_tighter_than(self, other: Rate) -> bool {
        // limit / period < other.limit / other.period, without dividing.
        u128::from(self.limit) * other.period.as_nanos() < u128::from(other.limit) * self.period.as_nanos()
    }
}

/// Grants times to requests; the times are never earlier than one given before, so the
/// `limit`-th latest grant alone says when the next one may go. Within that bound a
/// backlog is spread evenly (the GCRA: `burst` at once, then one per spacing) rather
/// than let `limit` requests go at one instant each period, where the network's jitter
/// would push some into the server's previous second.
#[derive(Debug)]
pub(crate) struct Window {
    rate: Rate,
    /// How many may go at once.
    burst: u32,
    /// The GCRA's theoretical arrival time: when the next request is due at the even
    /// spacing.
    due: Option<Instant>,
    /// The latest grants, at most `rate.limit` of them, oldest first (some may lie in
    /// the future: requests waiting for their turn).
    granted: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

impl Window {
    pub(crate) fn new(rate: Rate, burst: u32) -> Self {
        let granted = VecDeque::with_capacity(rate.limit as usize);
        Window { rate, burst, due: None, granted, paused_until: None }
    }

    /// Reserves the earliest time a request may go, from `now`: how long it must wait.
    pub(crate) fn reserve(&mut self, now: Instant) -> Duration {
        let limit = self.rate.limit.max(1) as usize;
        let mut at = now.max(self.paused_until.unwrap_or(now));
        if let Some(&last) = self.granted.back() {
            at = at.max(last);
        }
        let spacing = self.rate.spacing();
        if let Some(due) = self.due {
            at = at.max(due.checked_sub(spacing * (self.burst.max(1) - 1)).unwrap_or(due));
        }
        if self.granted.len() >= limit {
            at = at.max(self.granted[self.granted.len() - limit] + self.rate.period);
        }
        self.due = Some(self.due.map_or(at, |due| due.max(at)) + spacing);
        self.granted.push_back(at);
        while self.granted.len() > limit {
            self.granted.pop_front();
        }
        at - now
    }

    /// Nothing is granted before `until` (a `Retry-After`, a quota used up).
    pub(crate) fn pause(&mut self, until: Instant) {
        self.paused_until = Some(self.paused_until.map_or(until, |paused| paused.max(until)));
    }

    /// How long the pause still lasts from `now`.
    pub(crate) fn paused_for(&self, now: Instant) -> Duration {
        self.paused_until.map_or(Duration::ZERO, |until| until.saturating_duration_since(now))
    }

    pub(crate) fn rate(&self) -> Rate {
        self.rate
    }

    /// Lowers the rate to `rate` if that is tighter (what the server says it allows).
    pub(crate) fn tighten(&mut self, rate: Rate) {
        if rate.limit > 0 && rate.is_tighter_than(self.rate) {
            self.rate = rate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn no_rolling_period_holds_more_than_the_limit_whatever_the_burst() {
        let mut window = Window::new(Rate { limit: 5, period: SECOND }, 5);
        let start = Instant::now();
        let mut times = Vec::new();
        for n in 0..23u32 {
            // Bursts of seven callers, 400 ms apart.
            let now = start + Duration::from_millis(u64::from(n / 7) * 400 + u64::from(n % 7));
            times.push(now + window.reserve(now));
        }
        times.sort();
        for (i, &t) in times.iter().enumerate() {
            let within = times[i..].iter().take_while(|&&u| u < t + SECOND).count();
            assert!(within <= 5, "{within} grants within a second of grant {i}");
        }
        assert_eq!(times[..5], [0, 1, 2, 3, 4].map(|ms| start + Duration::from_millis(ms)), "five at once");
        assert_eq!(times[5], start + SECOND, "the sixth waits for the first to leave the period");
    }

    #[test]
    fn a_backlog_is_spread_evenly_after_the_first_burst() {
        let mut window = Window::new(Rate { limit: 50, period: SECOND }, 5);
        let now = Instant::now();
        let waits: Vec<u128> = (0..12).map(|_| window.reserve(now).as_millis()).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 22, 44, 66, 88, 110, 132, 154], "5 at once, then 1 per 22 ms");
        let mut even = Window::new(Rate { limit: 50, period: SECOND }, 1);
        let waits: Vec<u128> = (0..4).map(|_| even.reserve(now).as_millis()).collect();
        assert_eq!(waits, [0, 22, 44, 66], "one per 22 ms");
    }

    #[test]
    fn a_pause_holds_every_grant_until_it_ends_and_a_tighter_rate_replaces_the_rate() {
        let mut window = Window::new(Rate { limit: 10, period: SECOND }, 10);
        let now = Instant::now();
        window.pause(now + 2 * SECOND);
        window.pause(now + SECOND); // an earlier end never shortens it
        assert_eq!(window.reserve(now), 2 * SECOND);
        assert_eq!(window.paused_for(now + SECOND), SECOND);
        window.tighten(Rate { limit: 100, period: Duration::from_secs(60) });
        assert_eq!(window.rate(), Rate { limit: 100, period: Duration::from_secs(60) });
        window.tighten(Rate { limit: 50, period: SECOND }); // looser: ignored
        assert_eq!(window.rate().limit, 100);
    }
}
