//! A string that a `pattern` matches, built from the regex's syntax tree: the first
//! alternative, the first character of each class (a letter or digit where the class
//! has one), each repetition as few times as it may, more where `minLength` asks.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A string `pattern` matches, at least `least` characters long where the pattern
/// lets it be; `None` when the pattern does not parse. Lookarounds, which the parser
/// does not read, are left out (Mojaloop's `^(?!\s*$)…`, "not blank", holds of the
/// letters and digits the sample prefers).
pub(crate) fn sample(pattern: &str, least: usize) -> Option<String> {
    let pattern = without_lookarounds(pattern);
    let hir = regex_syntax::ParserBuilder::new().build().parse(&pattern).ok()?;
    let mut text = String::new();
    for extra in [0, 1, 2, 4, 8, 16, 64, 256] {
        text.clear();
        write(&hir, extra, &mut text);
        if text.chars().count() >= least {
            break;
        }
    }
    Some(text)
}

fn write(hir: &Hir, extra: u32, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(class) => out.extend(first_char(class)),
        HirKind::Repetition(repetition) => {
            let times =
                repetition.min.saturating_add(extra).min(repetition.max.unwrap_or(u32::MAX)).min(4096);
            for _ in 0..times {
                write(&repetition.sub, extra, out);
            }
        }
        HirKind::Capture(capture) => write(&capture.sub, extra, out),
        HirKind::Concat(parts) => parts.iter().for_each(|p| write(p, extra, out)),
        HirKind::Alternation(branches) => {
            if let Some(first) = branches.first() {
                write(first, extra, out);
            }
        }
    }
}

/// `pattern` without its `(?=…)`, `(?!…)`, `(?<=…)` and `(?<!…)` groups.
fn without_lookarounds(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = ["(?=", "(?!", "(?<=", "(?<!"].iter().filter_map(|open| rest.find(open)).min() {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let (mut depth, mut escaped, mut end) = (0usize, false, rest.len());
        for (i, c) in rest.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '(' => depth += 1,
                ')' if depth == 1 => {
                    end = i + 1;
                    break;
                }
                ')' => depth -= 1,
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    out + rest
}

/// A character of `class`: a letter or digit if it has one, else its first.
fn first_char(class: &Class) -> Option<char> {
    let chars: Vec<char> = match class {
        Class::Unicode(ranges) => ranges.iter().flat_map(|r| [r.start(), r.end()]).collect(),
        Class::Bytes(ranges) => ranges.iter().flat_map(|r| [r.start() as char, r.end() as char]).collect(),
    };
    let ranges: Vec<(char, char)> = chars.chunks(2).map(|c| (c[0], c[1])).collect();
    let plain = ['a', 'A', '0'].into_iter().find(|c| ranges.iter().any(|(s, e)| s <= c && c <= e));
    plain
        .or_else(|| ranges.iter().find_map(|(s, _)| (!s.is_control()).then_some(*s)))
        .or(ranges.first().map(|(s, _)| *s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_match_their_pattern() {
        assert_eq!(sample("^[A-Z]{3}-[0-9]{2,}$", 0).unwrap(), "AAA-00");
        assert_eq!(sample("^(cus|acct)_[a-zA-Z0-9]+$", 0).unwrap(), "cus_a");
        assert_eq!(sample("^[a-z]+$", 5).unwrap(), "aaaaa");
        assert_eq!(sample(r"^\d{4}-\d{2}$", 0).unwrap(), "0000-00");
        assert_eq!(sample("^[^@]+@example\\.com$", 0).unwrap(), "a@example.com");
        assert_eq!(sample("(unclosed", 0), None);
        assert_eq!(sample(r"^(?!\s*$)[\w .,'-]{1,128}$", 0).unwrap(), "a");
        assert_eq!(without_lookarounds(r"^(?=(a|\)))b(?<!c)$"), "^b$");
    }
}
