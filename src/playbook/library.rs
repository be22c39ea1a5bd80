//! The playbook library: the built-in one compiled from `playbooks/`, or a folder's.

use std::fmt;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use super::Playbook;
use super::check::{Level, Problem, check_playbook};
use super::load::decode_playbook;
use crate::policy::Policy;
use crate::yaml::{self, MAX_FILE_BYTES, Pos};

/// The repo's `playbooks/` folder, compiled in: the one source of the defaults.
static BUILT_IN: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/playbooks");

/// The policy file's name in a library folder.
pub const POLICY_FILE: &str = "policy.yaml";

/// Where the library came from, for `paths` and messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into the binary.
    BuiltIn,
    /// Files the user named (a folder, or files given to `check`).
    Files(Vec<PathBuf>),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("built-in library"),
            Origin::Files(paths) => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                f.write_str(&names.join(", "))
            }
        }
    }
}

/// A loaded library: the playbooks that are usable, the policy, and every problem found.
#[derive(Clone, Debug)]
pub struct Library {
    /// Where it came from.
    pub origin: Origin,
    /// Usable playbooks, sorted by type.
    pub playbooks: Vec<Playbook>,
    /// The authority policy in force.
    pub policy: Policy,
    /// Errors and warnings, in file order.
    pub problems: Vec<Problem>,
}

/// `--type` named no playbook.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown type `{name}`{hint}")]
pub struct UnknownType {
    /// What the user typed.
    pub name: String,
    /// "; did you mean `x`?" when something is close.
    pub hint: String,
}

/// Why a library could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot read playbook folder {path}: {source}")]
pub struct ReadError {
    /// The folder.
    pub path: PathBuf,
    /// What the system said.
    pub source: std::io::Error,
}

struct Source {
    name: String,
    text: Result<String, String>,
}

/// The built-in playbooks and policy as JSON, made from `playbooks/` by build.rs.
static BUILT_IN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/built_in.json"));

#[derive(serde::Deserialize)]
struct BuiltInJson {
    policy: Policy,
    playbooks: Vec<Playbook>,
}

impl Library {
    /// The library compiled into the binary. Read from the JSON copy build.rs makes (a
    /// tenth of the time of YAML with positions); the `built_in_library_is_clean` test
    /// keeps the playbooks free of problems, and should the copy not decode, the YAML is
    /// read and checked as for any folder.
    #[must_use]
    pub fn built_in() -> Library {
        match serde_json::from_str::<BuiltInJson>(BUILT_IN_JSON) {
            Ok(BuiltInJson { policy, mut playbooks }) if !policy.roles.is_empty() => {
                playbooks.sort_by(|a, b| a.kind.cmp(&b.kind));
                Library { origin: Origin::BuiltIn, playbooks, policy, problems: Vec::new() }
            }
            _ => Library::built_in_checked(),
        }
    }

    /// The built-in library read from its YAML, with every check `check` makes.
    #[must_use]
    pub fn built_in_checked() -> Library {
        let mut sources: Vec<Source> = BUILT_IN
            .files()
            .filter(|f| is_yaml(f.path()))
            .map(|f| Source {
                name: format!("<built-in>/{}", f.path().display()),
                text: f.contents_utf8().map(str::to_owned).ok_or_else(|| "not UTF-8 text".to_owned()),
            })
            .collect();
        sources.sort_by(|a, b| a.name.cmp(&b.name));
        Library::from_sources(Origin::BuiltIn, sources)
    }

    /// The library in `dir`; its `policy.yaml`, or the built-in policy if it has none.
    pub fn from_dir(dir: &Path) -> Result<Library, ReadError> {
        Library::from_paths(&[dir.to_path_buf()])
    }

    /// A library made of the files and folders named (as `check PATH...` takes them).
    pub fn from_paths(paths: &[PathBuf]) -> Result<Library, ReadError> {
        let mut sources = Vec::new();
        for path in paths {
            let meta = std::fs::metadata(path).map_err(|source| ReadError { path: path.clone(), source })?;
            if meta.is_dir() {
                sources.extend(read_dir(path)?);
            } else {
                sources.push(read_source(path));
            }
        }
        Ok(Library::from_sources(Origin::Files(paths.to_vec()), sources))
    }

    fn from_sources(origin: Origin, sources: Vec<Source>) -> Library {
        let mut problems = Vec::new();
        let (policies, books): (Vec<Source>, Vec<Source>) =
            sources.into_iter().partition(|s| s.name.ends_with(POLICY_FILE));
        let policy = load_policy(policies, &mut problems);
        let mut playbooks: Vec<Playbook> = Vec::new();
        // Every type and alias seen so far, with its playbook, broken files included.
        let mut names: Vec<(String, String)> = Vec::new();
        for source in books {
            let text = match source.text {
                Ok(t) => t,
                Err(why) => {
                    problems.push(Problem::new(&source.name, Pos { line: 1, col: 1 }, Level::Error, why));
                    continue;
                }
            };
            let decoded = decode_playbook(&source.name, &text);
            let mut found = decoded.problems;
            let Some((pb, doc)) = decoded.playbook else {
                problems.extend(found);
                continue;
            };
            found.extend(check_playbook(&pb, &doc, &source.name, &policy));
            let own = std::iter::once(("type".to_owned(), &pb.kind))
                .chain(pb.aliases.iter().enumerate().map(|(i, a)| (format!("aliases[{i}]"), a)))
                .filter(|(_, name)| !name.is_empty());
            for (path, name) in own {
                let lower = name.to_ascii_lowercase();
                if let Some((_, other)) = names.iter().find(|(n, _)| *n == lower) {
                    found.push(Problem::new(
                        &source.name,
                        doc.pos_of(&path, false),
                        Level::Error,
                        format!("`{name}` is already the type or an alias of playbook `{other}`"),
                    ));
                } else {
                    names.push((lower, pb.kind.clone()));
                }
            }
            found.sort_by_key(|p| (p.pos.line, p.pos.col));
            let broken = found.iter().any(|p| p.level == Level::Error);
            problems.extend(found);
            if !broken {
                playbooks.push(pb);
            }
        }
        playbooks.sort_by(|a, b| a.kind.cmp(&b.kind));
        Library { origin, playbooks, policy, problems }
    }

    /// The playbook `name` names, by type or alias, in any case.
    pub fn find(&self, name: &str) -> Result<&Playbook, UnknownType> {
        let name = name.trim();
        self.playbooks.iter().find(|pb| pb.answers_to(name)).ok_or_else(|| UnknownType {
            name: name.to_owned(),
            hint: self.closest(name).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default(),
        })
    }

    fn closest(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.playbooks
            .iter()
            .flat_map(|pb| std::iter::once(&pb.kind).chain(&pb.aliases).map(move |n| (n, &pb.kind)))
            .map(|(n, kind)| (edit_distance(&name, n), kind))
            .filter(|(d, _)| *d <= 3)
            .min_by_key(|(d, _)| *d)
            .map(|(_, kind)| kind.as_str())
    }

    /// True when any file has an error.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.level == Level::Error)
    }

    /// One line per broken file, for commands that carry on with the others.
    #[must_use]
    pub fn broken_files(&self) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for p in self.problems.iter().filter(|p| p.level == Level::Error) {
            if !seen.contains(&p.file.as_str()) {
                seen.push(&p.file);
                lines.push(format!(
                    "skipped {}: line {}: {} (run `recover check` for details)",
                    p.file, p.pos.line, p.message
                ));
            }
        }
        lines
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn read_dir(dir: &Path) -> Result<Vec<Source>, ReadError> {
    let err = |source| ReadError { path: dir.to_path_buf(), source };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(err)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_yaml(p))
        .collect();
    paths.sort();
    Ok(paths.iter().filter(|p| !p.is_dir()).map(|p| read_source(p)).collect())
}

fn read_source(path: &Path) -> Source {
    let name = path.display().to_string();
    let text = (|| {
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
        if !meta.is_file() {
            return Err("not a regular file".to_owned());
        }
        if meta.len() > MAX_FILE_BYTES as u64 {
            return Err(format!("file is {} bytes, over the {MAX_FILE_BYTES} byte limit", meta.len()));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
        String::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8 text (bad byte at offset {})", e.utf8_error().valid_up_to()))
    })();
    Source { name, text }
}

fn load_policy(mut sources: Vec<Source>, problems: &mut Vec<Problem>) -> Policy {
    let built_in = || {
        let text = BUILT_IN
            .get_file(POLICY_FILE)
            .and_then(|f| f.contents_utf8())
            .unwrap_or("currency: EUR\nroles: {staff: 0}\n");
        yaml::decode::<Policy>(text).unwrap_or_else(|_| Policy {
            currency: "EUR".into(),
            roles: indexmap::IndexMap::new(),
            languages: Vec::new(),
        })
    };
    let Some(source) = sources.pop() else {
        return built_in();
    };
    let decoded = source
        .text
        .map_err(|why| Problem::new(&source.name, Pos { line: 1, col: 1 }, Level::Error, why))
        .and_then(|t| yaml::decode::<Policy>(&t).map_err(|e| Problem::at(&source.name, &e, Level::Error)));
    match decoded {
        Ok(policy) if policy.roles.is_empty() => {
            problems.push(Problem::new(
                &source.name,
                Pos { line: 1, col: 1 },
                Level::Error,
                "the policy names no roles".into(),
            ));
            built_in()
        }
        Ok(policy) => policy,
        Err(problem) => {
            problems.push(problem);
            built_in()
        }
    }
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_library_is_clean() {
        let lib = Library::built_in_checked();
        assert!(lib.problems.is_empty(), "{:?}", lib.problems);
        assert!(lib.playbooks.len() >= 10);
    }

    #[test]
    fn built_in_json_copy_is_the_yaml() {
        let fast = Library::built_in();
        let checked = Library::built_in_checked();
        let json = |lib: &Library| serde_json::to_string(&(&lib.playbooks, &lib.policy)).expect("serialize");
        assert_eq!(json(&fast), json(&checked));
        assert!(fast.problems.is_empty());
    }

    #[test]
    fn finds_by_alias_any_case_and_suggests() {
        let lib = Library::built_in();
        assert_eq!(lib.find("BOOKING").unwrap().kind, "reservation");
        let err = lib.find("resevation").unwrap_err();
        assert!(err.hint.contains("reservation"), "{err}");
        assert!(lib.find("../../etc/passwd").is_err());
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
