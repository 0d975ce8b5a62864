//! serde's `rename_all`: one container attribute in place of a `rename` per field or
//! variant, where the wire names follow one of serde's case rules. The rules are
//! serde's own (`serde_derive`'s `case.rs`), applied here to decide which fits; a name
//! the chosen rule does not give keeps its own `rename`.

/// A `rename_all` rule: its name in the attribute, and what it makes of a Rust name.
pub struct Rule {
    /// `"snake_case"`.
    pub name: &'static str,
    apply: fn(&str) -> String,
}

impl Rule {
    /// The wire name serde gives `rust` under this rule.
    pub fn apply(&self, rust: &str) -> String {
        (self.apply)(rust)
    }
}

/// Rules for variants, whose Rust names are PascalCase.
pub const VARIANTS: &[Rule] = &[
    Rule { name: "snake_case", apply: variant_snake },
    Rule { name: "SCREAMING_SNAKE_CASE", apply: |v| variant_snake(v).to_ascii_uppercase() },
    Rule { name: "kebab-case", apply: |v| variant_snake(v).replace('_', "-") },
    Rule { name: "lowercase", apply: |v| v.to_ascii_lowercase() },
    Rule { name: "UPPERCASE", apply: |v| v.to_ascii_uppercase() },
    Rule { name: "camelCase", apply: |v| lower_first(v) },
];

/// Rules for fields, whose Rust names are snake_case.
pub const FIELDS: &[Rule] = &[
    Rule { name: "camelCase", apply: |f| lower_first(&field_pascal(f)) },
    Rule { name: "PascalCase", apply: field_pascal },
    Rule { name: "kebab-case", apply: |f| f.replace('_', "-") },
    Rule { name: "SCREAMING_SNAKE_CASE", apply: |f| f.to_ascii_uppercase() },
];

/// The rule of `rules` under which the most `(Rust name, wire name)` pairs need no
/// `rename` of their own, if it spares more than writing the names as they are.
/// The first of several that spare as many wins.
pub fn best<'r>(rules: &'r [Rule], pairs: &[(&str, &str)]) -> Option<&'r Rule> {
    let kept =
        |apply: &dyn Fn(&str) -> String| pairs.iter().filter(|(rust, wire)| apply(rust) == *wire).count();
    let mut best: (Option<&Rule>, usize) = (None, kept(&|rust: &str| rust.to_string()));
    for rule in rules {
        let count = kept(&|rust: &str| rule.apply(rust));
        if count > best.1 {
            best = (Some(rule), count);
        }
    }
    best.0
}

fn variant_snake(variant: &str) -> String {
    let mut snake = String::new();
    for (i, c) in variant.char_indices() {
        if i > 0 && c.is_uppercase() {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake
}

fn field_pascal(field: &str) -> String {
    let mut pascal = String::new();
    let mut capitalize = true;
    for c in field.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(c);
        }
    }
    pascal
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|f| f.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    /// Each rule against serde's derive itself: every variant and field of a type
    /// under `rename_all` serializes as the rule says.
    #[test]
    fn each_rule_gives_what_serde_gives() {
        macro_rules! check {
            ($($rule:literal),*) => {$({
                #[derive(Serialize)]
                #[serde(rename_all = $rule)]
                enum E { OffSession, V2Thing, Manual, X, AB }
                #[derive(Serialize)]
                #[serde(rename_all = $rule)]
                struct S { client_id: u8, id: u8, r#type: u8, x_2fa: u8, a_b_c: u8 }
                if let Some(rule) = VARIANTS.iter().find(|r| r.name == $rule) {
                    for (value, name) in [(E::OffSession, "OffSession"), (E::V2Thing, "V2Thing"), (E::Manual, "Manual"), (E::X, "X"), (E::AB, "AB")] {
                        assert_eq!(serde_json::to_value(value).unwrap(), rule.apply(name), "{}", $rule);
                    }
                }
                if let Some(rule) = FIELDS.iter().find(|r| r.name == $rule) {
                    let wire = serde_json::to_value(S { client_id: 0, id: 1, r#type: 2, x_2fa: 3, a_b_c: 4 }).unwrap();
                    let names: Vec<String> = wire.as_object().unwrap().keys().cloned().collect();
                    let ours: Vec<String> = ["client_id", "id", "type", "x_2fa", "a_b_c"].iter().map(|f| rule.apply(f)).collect();
                    assert_eq!(names, ours, "{}", $rule);
                }
            })*};
        }
        check!(
            "snake_case",
            "SCREAMING_SNAKE_CASE",
            "kebab-case",
            "lowercase",
            "UPPERCASE",
            "camelCase",
            "PascalCase"
        );
        let covered = VARIANTS.iter().chain(FIELDS).all(|r| {
            [
                "snake_case",
                "SCREAMING_SNAKE_CASE",
                "kebab-case",
                "lowercase",
                "UPPERCASE",
                "camelCase",
                "PascalCase",
            ]
            .contains(&r.name)
        });
        assert!(covered, "every rule is checked against serde");
    }

    #[test]
    fn the_rule_that_spares_most_renames_is_chosen_if_any_spares_one() {
        let snake = [("OffSession", "off_session"), ("Manual", "manual"), ("V3ds", "3ds")];
        assert_eq!(best(VARIANTS, &snake).map(|r| r.name), Some("snake_case"));
        let camel = [("client_id", "clientId"), ("id", "id"), ("type", "type")];
        assert_eq!(best(FIELDS, &camel).map(|r| r.name), Some("camelCase"));
        let plain = [("id", "id"), ("client_id", "client_id")];
        assert!(best(FIELDS, &plain).is_none(), "nothing to spare");
    }
}
