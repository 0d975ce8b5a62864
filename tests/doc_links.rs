//! Every relative link of the README, BENCHMARKS.md and `docs/*.md` reaches a file that
//! exists, and every `#anchor` a heading of its target: the docs moved between files
//! once, and a moved section silently breaks the links into it.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

#[test]
fn relative_links_and_anchors_resolve() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let broken: Vec<String> = documents(root).iter().flat_map(|file| broken_links(root, file)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

fn documents(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md"), root.join("BENCHMARKS.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(root.join("docs"))
        .expect("docs/ is readable")
        .map(|entry| entry.expect("a docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    files.append(&mut docs);
    files
}

fn broken_links(root: &Path, file: &Path) -> Vec<String> {
    let text = fs::read_to_string(file).expect("a document is readable");
    let name = file.strip_prefix(root).unwrap_or(file).display().to_string();
    link_targets(&prose(&text))
        .into_iter()
        .filter(|target| !target.contains("://") && !target.starts_with("mailto:"))
        .filter_map(|target| check(file, &target).err())
        .map(|problem| format!("{name}: {problem}"))
        .collect()
}

/// The lines outside fenced blocks.
fn unfenced(text: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            lines.push(line);
        }
    }
    lines
}

/// The text outside fenced blocks and code spans, where a `](` is not a link.
fn prose(text: &str) -> String {
    let spans_removed = |line: &&str| line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    unfenced(text).iter().map(spans_removed).collect::<Vec<_>>().join("\n")
}

/// The target of each inline link `[text](target)`; a link's text may cross lines.
fn link_targets(prose: &str) -> Vec<String> {
    prose
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')'))
        .map(|(target, _)| target.trim().to_string())
        .collect()
}

fn check(file: &Path, target: &str) -> Result<(), String> {
    let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
    let resolved = if path.is_empty() {
        file.to_path_buf()
    } else {
        file.parent().expect("a document has a folder").join(path)
    };
    if !resolved.exists() {
        return Err(format!("`{target}`: no file {}", resolved.display()));
    }
    let is_markdown = resolved.extension().is_some_and(|ext| ext == "md");
    if anchor.is_empty() || !is_markdown {
        return Ok(());
    }
    let text = fs::read_to_string(&resolved).expect("a linked document is readable");
    if anchors(&text).contains(anchor) {
        Ok(())
    } else {
        Err(format!("`{target}`: no heading with anchor `#{anchor}`"))
    }
}

/// The anchors GitHub gives a document's headings: lowercase, spaces to hyphens, other
/// punctuation dropped, a repeated slug numbered `-1`, `-2`, ….
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for heading in unfenced(text).into_iter().filter_map(heading_text) {
        let slug = slug(&heading);
        let mut unique = slug.clone();
        let mut n = 0;
        while seen.contains(&unique) {
            n += 1;
            unique = format!("{slug}-{n}");
        }
        seen.insert(unique);
    }
    seen
}

fn heading_text(line: &str) -> Option<String> {
    let rest = line.trim_start_matches('#');
    (rest.len() < line.len() && rest.starts_with(' ')).then(|| {
        // A link in a heading keeps only its text.
        let text: String = link_targets(rest)
            .iter()
            .fold(rest.to_string(), |text, target| text.replace(&format!("]({target})"), ""));
        text.replace('[', "").trim().to_string()
    })
}

fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn slugs_follow_github() {
    assert_eq!(slug("9. The corpus: real documents, whole"), "9-the-corpus-real-documents-whole");
    assert_eq!(
        slug("Operations that issue tokens (`x-authgen-token`)"),
        "operations-that-issue-tokens-x-authgen-token"
    );
    let doubled = anchors("# A\n## A\n```\n# not a heading\n```\n");
    assert_eq!(doubled, HashSet::from(["a".into(), "a-1".into()]));
}

#[test]
fn a_broken_link_is_found() {
    let dir = std::env::temp_dir().join(format!("doc-links-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let doc = dir.join("a.md");
    fs::write(&doc, "# Here\n[ok](#here) [gone](#there) [file](b.md) `[no](c.md)`\n").unwrap();
    let targets = link_targets(&prose(&fs::read_to_string(&doc).unwrap()));
    assert_eq!(targets, ["#here", "#there", "b.md"]);
    assert!(check(&doc, "#here").is_ok());
    assert!(check(&doc, "#there").is_err());
    assert!(check(&doc, "b.md").is_err());
    fs::remove_dir_all(&dir).unwrap();
}
