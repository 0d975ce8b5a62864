//! The runtime's modules form layers: no file imports from a module that imports it
//! back, directly or through others. A re-export (`pub use`) is a door, not an import:
//! paths are followed through it to the file that defines the item.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

/// A module path from the crate root (`["token", "cache"]`), as files give it.
type ModPath = Vec<String>;

struct Source {
    /// The code outside `use` items and comments, where names are used.
    code: String,
    /// `(is_reexport, path segments)` of each name a `use` item brings in.
    uses: Vec<(bool, Vec<String>)>,
}

#[test]
fn no_file_in_runtime_src_imports_from_a_module_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&root);
    let sources: BTreeMap<&ModPath, Source> = files.iter().map(|(m, f)| (m, read(f))).collect();
    let edges = imports(&files, &sources);
    let cycles = cycles(&edges);
    assert!(cycles.is_empty(), "import cycles in runtime/src:\n{}", cycles.join("\n"));
    // The check sees the imports that matter: the exchange reads the client.
    let exchange = vec!["exchange".to_string(), "request".to_string()];
    assert!(edges[&exchange].contains(&vec!["client".to_string()]), "{edges:?}");
}

/// The top-level modules are layers too: `token` can be read without `oauth`, `config`
/// without `retry`'s users. Only the crate root, the door generated code comes in by
/// (`__private`) and the agreements both sides share (`seam`) may name everything.
#[test]
fn the_top_level_modules_form_a_dag() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = modules(&root);
    let sources: BTreeMap<&ModPath, Source> = files.iter().map(|(m, f)| (m, read(f))).collect();
    let aside = ["__private", "seam"];
    let top = |m: &ModPath| m.first().filter(|name| !aside.contains(&name.as_str())).cloned();
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (from, targets) in imports(&files, &sources) {
        for target in targets {
            if let (Some(a), Some(b)) = (top(from), top(&target))
                && a != b
            {
                edges.entry(vec![a]).or_default().insert(vec![b]);
            }
        }
    }
    let edges: BTreeMap<&ModPath, BTreeSet<ModPath>> = edges.iter().map(|(m, t)| (m, t.clone())).collect();
    let cycles = cycles(&edges);
    assert!(cycles.is_empty(), "top-level modules of runtime/src in a cycle:\n{}", cycles.join("\n"));
    // The graph is the real one: the flows read the token layer.
    assert!(edges[&vec!["oauth".to_string()]].contains(&vec!["token".to_string()]), "{edges:?}");
}

/// Which modules each file imports from (re-exports it does not itself use aside).
fn imports<'a>(
    files: &BTreeMap<ModPath, PathBuf>,
    sources: &BTreeMap<&'a ModPath, Source>,
) -> BTreeMap<&'a ModPath, BTreeSet<ModPath>> {
    let mut edges: BTreeMap<&ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (module, source) in sources {
        for (reexport, path) in &source.uses {
            let alias = path.last().map(String::as_str).unwrap_or_default();
            // A re-export imports only when the file itself uses the name it brings in.
            if *reexport && (alias == "*" || !uses_word(&source.code, alias)) {
                continue;
            }
            if let Some(target) = resolve(files, sources, module, path, 0)
                && &target != *module
            {
                edges.entry(*module).or_default().insert(target);
            }
        }
    }
    edges
}

/// Every module file under `root`, by module path.
fn modules(root: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut found = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).unwrap().with_extension("");
            let mut module: ModPath = relative.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            found.insert(module, path);
        }
    }
    found
}

/// A file's `use` items and the rest of its code, comments and unit tests left out.
fn read(file: &Path) -> Source {
    let text = std::fs::read_to_string(file).unwrap();
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    let text: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| format!("{line}\n"))
        .collect();
    let use_item = Regex::new(r"(?s)(pub(\([a-z]+\))?\s+)?\buse\s+([^;]+);").unwrap();
    let mut uses = Vec::new();
    for item in use_item.captures_iter(&text) {
        let reexport = item.get(1).is_some();
        for path in expand(&item[3]) {
            uses.push((reexport, path));
        }
    }
    let code = use_item.replace_all(&text, "").into_owned();
    // Paths written in the code (`crate::config::redact_userinfo(…)`) import too.
    let inline = Regex::new(r"\b(crate|super|self)(::[A-Za-z_][A-Za-z0-9_]*)+").unwrap();
    for path in inline.find_iter(&code) {
        uses.push((false, path.as_str().split("::").map(String::from).collect()));
    }
    Source { code, uses }
}

/// The paths of a use tree: `a::{b, c::{d as e}}` gives `a::b` and `a::c::e`'s source
/// `a::c::d` (a renamed import resolves by its original name).
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace() || *c == ' ').collect();
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or_default().replace(' ', "");
        return vec![path.split("::").filter(|s| !s.is_empty()).map(String::from).collect()];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    let prefix: Vec<String> = prefix.split("::").filter(|s| !s.is_empty()).map(String::from).collect();
    parts
        .into_iter()
        .filter(|part| !part.trim().is_empty())
        .flat_map(expand)
        .map(|rest| match rest.as_slice() {
            [only] if only == "self" => prefix.clone(),
            _ => prefix.iter().cloned().chain(rest).collect(),
        })
        .collect()
}

fn uses_word(code: &str, word: &str) -> bool {
    Regex::new(&format!(r"\b{}\b", regex::escape(word))).unwrap().is_match(code)
}

/// The file that defines what `path`, written in `module`, names; `None` outside the
/// crate. Followed through re-exports.
fn resolve(
    files: &BTreeMap<ModPath, PathBuf>,
    sources: &BTreeMap<&ModPath, Source>,
    module: &ModPath,
    path: &[String],
    depth: usize,
) -> Option<ModPath> {
    let mut at: ModPath = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "self" | "super" => module.clone(),
        _ => return None,
    };
    let mut rest = &path[1..];
    if path[0] == "super" {
        at.pop();
    }
    while rest.first().is_some_and(|s| s == "super") {
        at.pop();
        rest = &rest[1..];
    }
    while let Some(next) = rest.first() {
        let child: ModPath = at.iter().cloned().chain([next.clone()]).collect();
        if !files.contains_key(&child) {
            break;
        }
        at = child;
        rest = &rest[1..];
    }
    let Some(name) = rest.first() else { return Some(at) };
    let doors = sources.get(&at).map(|s| s.uses.as_slice()).unwrap_or_default();
    let door = doors.iter().find(|(reexport, p)| *reexport && p.last() == Some(name));
    match door {
        Some((_, door)) if depth < 16 => {
            if matches!(door[0].as_str(), "crate" | "self" | "super") {
                return resolve(files, sources, &at, door, depth + 1);
            }
            // A re-export of a child (`pub use cache::TokenCache`) is relative to `at`;
            // any other (`pub use reqwest::StatusCode`) leaves the crate.
            let child: ModPath = at.iter().cloned().chain([door[0].clone()]).collect();
            let door: Vec<String> = ["self".to_string()].into_iter().chain(door.iter().cloned()).collect();
            files.contains_key(&child).then(|| resolve(files, sources, &at, &door, depth + 1)).flatten()
        }
        _ => Some(at),
    }
}

/// Each cycle of the graph once, as `a -> b -> a`.
fn cycles(edges: &BTreeMap<&ModPath, BTreeSet<ModPath>>) -> Vec<String> {
    let name = |m: &ModPath| if m.is_empty() { "lib".to_string() } else { m.join("::") };
    let mut found = BTreeSet::new();
    for start in edges.keys() {
        let mut stack: Vec<(ModPath, Vec<ModPath>)> = vec![((*start).clone(), vec![(*start).clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == *start {
                    let mut cycle: Vec<String> = trail.iter().map(name).collect();
                    cycle.push(name(next));
                    found.insert(cycle.join(" -> "));
                } else if seen.insert(next.clone()) {
                    stack.push((next.clone(), trail.iter().cloned().chain([next.clone()]).collect()));
                }
            }
        }
    }
    found.into_iter().collect()
}
