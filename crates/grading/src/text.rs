//! Values as messages show them: short, counted, and in good English.

use std::fmt::Debug;
use std::time::Duration;

/// `n` milliseconds.
pub const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `n` seconds.
pub const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Formats a duration the way the messages speak: `3.0 s`, `250 ms`.
pub fn fmt_duration(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// Like [`fmt_duration`], but exact to the millisecond where one decimal
/// would round (`3.999 s`, not `4.0 s`): for messages comparing instants
/// that differ by a few milliseconds.
pub fn fmt_duration_exact(d: Duration) -> String {
    if d >= Duration::from_secs(1) && !d.subsec_millis().is_multiple_of(100) {
        format!("{:.3} s", d.as_secs_f64())
    } else {
        fmt_duration(d)
    }
}

/// `text`, cut to `max` characters with an ellipsis.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}…")
}

/// The first `shown` items, then how many there are in all:
/// `["a", "b", …] (10000 in all)`. Short lists are shown whole.
pub fn preview<T: Debug>(items: &[T], shown: usize) -> String {
    preview_with(items, shown, |item| format!("{item:?}"))
}

/// [`preview`] with each item written by `show`.
pub fn preview_with<T>(items: &[T], shown: usize, show: impl Fn(&T) -> String) -> String {
    let head: Vec<String> = items.iter().take(shown).map(show).collect();
    if items.len() <= shown {
        format!("[{}]", head.join(", "))
    } else {
        format!("[{}, …] ({} in all)", head.join(", "), items.len())
    }
}

/// `1 thread`, `2 threads`: a count with its noun (regular plural: add "s").
pub fn count(n: usize, noun: &str) -> String {
    count_of(n, noun, &format!("{noun}s"))
}

/// `was` or `were`, agreeing with `n`.
pub fn was(n: usize) -> &'static str {
    if n == 1 {
        "was"
    } else {
        "were"
    }
}

/// A count with an irregular plural: `count_of(2, "process", "processes")`.
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(fmt_duration(ms(250)), "250 ms");
        assert_eq!(fmt_duration(secs(3)), "3.0 s");
        assert_eq!(fmt_duration_exact(ms(3999)), "3.999 s");
        assert_eq!(fmt_duration_exact(ms(3500)), "3.5 s");
    }

    #[test]
    fn long_values_are_cut() {
        assert_eq!(cut("abcdef", 3), "abc…");
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(preview(&[1, 2], 3), "[1, 2]");
        assert_eq!(preview(&[1, 2, 3, 4], 2), "[1, 2, …] (4 in all)");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count(1, "thread"), "1 thread");
        assert_eq!(count(0, "thread"), "0 threads");
        assert_eq!(count_of(2, "process", "processes"), "2 processes");
    }
}
