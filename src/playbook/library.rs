//! The playbook library: the built-in one compiled from `playbooks/`, or a folder's.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::built_in::{Listed, YAML_FILES};
use super::check::{Level, Problem, check_playbook};
use super::load::decode_playbook;
use super::{Phase, Playbook};
use crate::policy::Policy;
use crate::yaml::{self, Document, MAX_FILE_BYTES, Pos};

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

/// `--type` named no usable playbook.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct UnknownType {
    /// What the user typed.
    pub name: String,
    /// "; did you mean `x`?" when something is close.
    pub hint: String,
    /// Where the playbook of that name is broken (`FILE:LINE: what`), when a file of the
    /// library is named so but has an error: it exists, it cannot be used.
    pub broken: Option<String>,
}

impl UnknownType {
    fn describe(&self) -> String {
        match &self.broken {
            Some(at) => format!("playbook `{}` exists but is broken: {at}", self.name),
            None => format!("unknown type `{}`{}", self.name, self.hint),
        }
    }
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
    /// The text, or why it cannot be had (and whether that is only worth a warning).
    text: Text,
}

/// A file's text: read, or still on disk, to be read by the thread that decodes it
/// (reading and checking the UTF-8 of hundreds of files was a fifth of `check`, on one
/// thread).
enum Text {
    Read(Result<String, (Level, String)>),
    Unread(PathBuf),
}

impl Text {
    fn get(self) -> Result<String, (Level, String)> {
        match self {
            Text::Read(text) => text,
            Text::Unread(path) => read_text(&path),
        }
    }
}

impl Library {
    /// The built-in library read from its YAML, with every check `check` makes.
    #[must_use]
    pub fn built_in_checked() -> Library {
        let sources: Vec<Source> = YAML_FILES
            .iter()
            .map(|(name, text)| Source {
                name: format!("<built-in>/{name}"),
                text: Text::Read(Ok((*text).to_owned())),
            })
            .collect();
        Library::from_sources(Origin::BuiltIn, sources)
    }

    /// A library from texts in memory (name, YAML), as fuzzers and benchmarks feed it; a
    /// name ending in `policy.yaml` is the policy.
    #[must_use]
    pub fn from_memory(files: Vec<(String, String)>) -> Library {
        let sources =
            files.into_iter().map(|(name, text)| Source { name, text: Text::Read(Ok(text)) }).collect();
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
        if let (Origin::Files(paths), true) = (&origin, policies.is_empty()) {
            if let Some(first) = paths.iter().find(|p| p.is_dir()) {
                problems.push(Problem::new(
                    &first.join(POLICY_FILE).display().to_string(),
                    Pos { line: 1, col: 1 },
                    Level::Warning,
                    "no policy here: the built-in currency and role limits apply".into(),
                ));
            }
        }
        let (policy, policy_doc) = load_policy(policies, &mut problems);
        let mut playbooks: Vec<Playbook> = Vec::new();
        // Every type and alias seen so far, with its playbook, broken files included.
        let mut names: HashMap<String, String> = HashMap::new();
        for (name, read) in read_all(books, &policy) {
            let (pb, doc, mut found) = match read {
                Ok(read) => read,
                Err(found) => {
                    problems.extend(found);
                    continue;
                }
            };
            let own = std::iter::once(("type".to_owned(), &pb.kind))
                .chain(pb.aliases.iter().enumerate().map(|(i, a)| (format!("aliases[{i}]"), a)))
                .filter(|(_, name)| !name.is_empty());
            for (path, alias) in own {
                let lower = alias.to_ascii_lowercase();
                if let Some(other) = names.get(&lower) {
                    found.push(Problem::new(
                        &name,
                        doc.pos_of(&path, false),
                        Level::Error,
                        format!("`{alias}` is already the type or an alias of playbook `{other}`"),
                    ));
                } else {
                    names.insert(lower, pb.kind.clone());
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
        if let Some((file, doc)) = policy_doc {
            problems.extend(super::site::cost_problems(&policy, &playbooks, &file, &doc));
        }
        Library { origin, playbooks, policy, problems }
    }

    /// The playbook `name` names, by type or alias, in any case.
    pub fn find(&self, name: &str) -> Result<&Playbook, UnknownType> {
        let name = name.trim();
        self.playbooks.iter().find(|pb| pb.answers_to(name)).ok_or_else(|| UnknownType {
            name: name.to_owned(),
            hint: self.closest(name).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default(),
            broken: self.broken(name),
        })
    }

    /// The first error of the file named `name` (`name.yaml`), if the library has one:
    /// a playbook that exists but was left out for it.
    fn broken(&self, name: &str) -> Option<String> {
        let named = |file: &str| {
            std::path::Path::new(file)
                .file_stem()
                .is_some_and(|s| s.to_string_lossy().eq_ignore_ascii_case(name))
        };
        self.problems
            .iter()
            .find(|p| p.level == Level::Error && !p.file.ends_with(POLICY_FILE) && named(&p.file))
            .map(|p| format!("{}:{}: {}", p.file, p.pos.line, p.message))
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

    /// What `list` shows of each playbook, in `lang`.
    #[must_use]
    pub fn listing(&self, lang: &str) -> Vec<Listed<'_>> {
        self.playbooks
            .iter()
            .map(|pb| Listed {
                kind: &pb.kind,
                title: pb.title.get(lang),
                aliases: pb.aliases.iter().map(String::as_str).collect(),
                steps: Phase::ALL.map(|p| pb.phases.steps(p).len()),
            })
            .collect()
    }

    /// True when any file has an error (`check` counts them itself; for tests).
    #[cfg(test)]
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.level == Level::Error)
    }

    /// The policy's own problem, when it is broken: no session may run on limits nobody set.
    #[must_use]
    pub fn broken_policy(&self) -> Option<&Problem> {
        self.problems.iter().find(|p| p.level == Level::Error && p.file.ends_with(POLICY_FILE))
    }

    /// The warning that a folder has no policy and borrows the built-in one.
    #[must_use]
    pub fn borrowed_policy(&self) -> Option<&Problem> {
        self.problems.iter().find(|p| p.level == Level::Warning && p.file.ends_with(POLICY_FILE))
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

/// A playbook file decoded and checked on its own: the playbook, its document and its
/// problems so far, or only problems when it could not be read as a playbook.
type Read = Result<(Playbook, Document, Vec<Problem>), Vec<Problem>>;

/// Files a library needs before reading them on more than one thread pays off.
const FILES_PER_THREAD: usize = 32;

fn read_one(source: Source, policy: &Policy) -> (String, Read) {
    let read = match source.text.get() {
        Err((level, why)) => Err(vec![Problem::new(&source.name, Pos { line: 1, col: 1 }, level, why)]),
        Ok(text) => {
            let decoded = decode_playbook(&source.name, &text);
            match decoded.playbook {
                None => Err(decoded.problems),
                Some((pb, doc)) => {
                    let mut found = decoded.problems;
                    found.extend(check_playbook(&pb, &doc, &source.name, policy));
                    Ok((pb, doc, found))
                }
            }
        }
    };
    (source.name, read)
}

/// Decodes and checks every file, in order; a large library (`check` of hundreds of
/// playbooks) is shared out between the machine's cores.
fn read_all(books: Vec<Source>, policy: &Policy) -> Vec<(String, Read)> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = cores.min(books.len() / FILES_PER_THREAD);
    read_on(books, policy, threads)
}

fn read_on(books: Vec<Source>, policy: &Policy, threads: usize) -> Vec<(String, Read)> {
    if threads <= 1 {
        return books.into_iter().map(|b| read_one(b, policy)).collect();
    }
    let per_thread = books.len().div_ceil(threads);
    let mut books = books.into_iter();
    let chunks: Vec<Vec<Source>> = (0..threads).map(|_| books.by_ref().take(per_thread).collect()).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || chunk.into_iter().map(|b| read_one(b, policy)).collect::<Vec<_>>())
            })
            .collect();
        // A panic in a reader is a bug; it is carried on, as on one thread.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
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
    Ok(paths.iter().map(|p| read_source(p)).collect())
}

fn read_source(path: &Path) -> Source {
    Source { name: path.display().to_string(), text: Text::Unread(path.to_path_buf()) }
}

fn read_text(path: &Path) -> Result<String, (Level, String)> {
    let error = |why: String| (Level::Error, why);
    let meta = std::fs::metadata(path).map_err(|e| error(format!("cannot read: {e}")))?;
    if meta.is_dir() {
        return Err((Level::Warning, "a folder, not a playbook file; skipped".to_owned()));
    }
    if !meta.is_file() {
        return Err(error("not a regular file".to_owned()));
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(error(format!("file is {} bytes, over the {MAX_FILE_BYTES} byte limit", meta.len())));
    }
    let bytes = std::fs::read(path).map_err(|e| error(format!("cannot read: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| error(format!("not UTF-8 text (bad byte at offset {})", e.utf8_error().valid_up_to())))
}

/// The policy, and its file's name and document when it was read from one (for the
/// checks that need the playbooks too).
fn load_policy(
    mut sources: Vec<Source>,
    problems: &mut Vec<Problem>,
) -> (Policy, Option<(String, Document)>) {
    let built_in = || {
        let text = YAML_FILES
            .iter()
            .find(|(name, _)| *name == POLICY_FILE)
            .map_or("currency: EUR\nroles: {staff: 0}\n", |(_, text)| *text);
        let mut policy = yaml::decode::<Policy>(text).unwrap_or_else(|_| Policy {
            currency: "EUR".into(),
            roles: indexmap::IndexMap::new(),
            languages: Vec::new(),
            targets: None,
            repeat_guest_days: None,
            emergency: None,
            sites: indexmap::IndexMap::new(),
        });
        // A folder without a policy of its own borrows the built-in currency and limits,
        // not its languages: its playbooks were not written to that promise.
        policy.languages.clear();
        policy
    };
    let Some(source) = sources.pop() else {
        return (built_in(), None);
    };
    let decoded = source
        .text
        .get()
        .map_err(|(level, why)| Problem::new(&source.name, Pos { line: 1, col: 1 }, level, why))
        .and_then(|t| {
            let policy =
                yaml::decode::<Policy>(&t).map_err(|e| Problem::at(&source.name, &e, Level::Error))?;
            if let Some((pos, why)) = unfit_limit(&policy, &t) {
                return Err(Problem::new(&source.name, pos, Level::Error, why));
            }
            let doc = yaml::Document::parse(&t).map_err(|e| Problem::at(&source.name, &e, Level::Error))?;
            match super::site::site_problem(&policy, &doc) {
                Some((pos, why)) => Err(Problem::new(&source.name, pos, Level::Error, why)),
                None => Ok((policy, doc)),
            }
        });
    match decoded {
        Ok((policy, _)) if policy.roles.is_empty() => {
            problems.push(Problem::new(
                &source.name,
                Pos { line: 1, col: 1 },
                Level::Error,
                "the policy names no roles".into(),
            ));
            (built_in(), None)
        }
        Ok((policy, doc)) => (policy, Some((source.name, doc))),
        Err(problem) => {
            problems.push(problem);
            (built_in(), None)
        }
    }
}

/// The first role limit that is no amount in the policy's currency (more decimal places
/// than it has, or negative), placed in `text`.
fn unfit_limit(policy: &Policy, text: &str) -> Option<(Pos, String)> {
    let (name, why) = policy.roles.iter().find_map(|(name, role)| {
        let limit = role.limit();
        let why = if limit.is_negative() {
            Some(format!("the limit of `{name}`, {limit}, is negative"))
        } else {
            limit.unfit_for(&policy.currency).map(|why| format!("the limit of `{name}`: {why}"))
        };
        why.map(|w| (name.clone(), w))
    })?;
    let pos = yaml::Document::parse(text)
        .map_or(Pos { line: 1, col: 1 }, |doc| doc.pos_of(&format!("roles.{name}"), false));
    Some((pos, why))
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
#[path = "library_tests.rs"]
mod tests;
