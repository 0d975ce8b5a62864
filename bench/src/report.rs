//! Samples and the lines the runner prints.

use std::time::Duration;

/// Durations of repeated runs of one contender.
#[derive(Debug, Default, Clone)]
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn push(&mut self, sample: Duration) {
        self.0.push(sample);
    }

    pub fn median(&self) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        sorted[sorted.len() / 2]
    }

    pub fn min(&self) -> Duration {
        self.0.iter().copied().min().unwrap_or_default()
    }

    pub fn max(&self) -> Duration {
        self.0.iter().copied().max().unwrap_or_default()
    }

    /// `median (min–max)` in milliseconds, for the human reading along.
    pub fn summary(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!("{:.2} ms ({:.2}–{:.2})", ms(self.median()), ms(self.min()), ms(self.max()))
    }
}

/// `ratio <name> <ours / theirs>` of medians.
pub fn ratio(name: &str, ours: &Samples, theirs: &Samples) {
    let value = ours.median().as_secs_f64() / theirs.median().as_secs_f64();
    println!("ratio {name} {value:.3}");
}

/// `value <name> <number> <unit>`.
pub fn value(name: &str, number: impl std::fmt::Display, unit: &str) {
    println!("value {name} {number} {unit}");
}
