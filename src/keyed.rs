//! Enums whose variants have one spelling everywhere: YAML, JSON, CSV, flags and the log's
//! columns. The key is written once, beside its variant, and serde, clap and `key()` /
//! `from_key()` all take it from there; a test holds the SQL's literals to the same keys.

/// Declares a unit enum with a key per variant (`Variant = "key"`): serde's name for it,
/// clap's too when the enum derives `clap::ValueEnum` (write `#[clap]` first), and the
/// `ALL`, `key` and `from_key` that the stores and renderers use.
macro_rules! keyed {
    (
        #[clap]
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $key:literal, )+ }
    ) => {
        $(#[$meta])*
        $vis enum $name { $( $(#[$vmeta])* #[serde(rename = $key)] #[value(name = $key)] $variant, )+ }
        keyed!(@impl $name { $( $variant = $key, )+ });
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $key:literal, )+ }
    ) => {
        $(#[$meta])*
        $vis enum $name { $( $(#[$vmeta])* #[serde(rename = $key)] $variant, )+ }
        keyed!(@impl $name { $( $variant = $key, )+ });
    };
    (@impl $name:ident { $( $variant:ident = $key:literal, )+ }) => {
        #[allow(dead_code, reason = "not every keyed enum is listed whole")]
        impl $name {
            /// Every variant, in the order declared.
            pub const ALL: [$name; [$( $key ),+].len()] = [$( $name::$variant ),+];

            /// Its key: the one spelling in files, flags and the log.
            #[must_use]
            pub fn key(self) -> &'static str {
                match self {
                    $( $name::$variant => $key, )+
                }
            }

            /// From its key.
            #[must_use]
            pub fn from_key(key: &str) -> Option<$name> {
                match key {
                    $( $key => Some($name::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use keyed;

#[cfg(test)]
mod tests {
    use crate::engine::{FollowUpOutcome, Outcome, Status};

    /// The SQL compares columns with keys written as literals (`status <> 'abandoned'`):
    /// every such literal must be a key, so that renaming one cannot leave a query matching
    /// nothing.
    #[test]
    fn the_sql_literals_are_keys() {
        type IsKey = fn(&str) -> bool;
        let columns: [(&str, IsKey); 3] = [
            ("status", |k| Status::from_key(k).is_some()),
            ("outcome", |k| Outcome::from_key(k).is_some() || FollowUpOutcome::from_key(k).is_some()),
            ("$8", |k| Status::from_key(k).is_some()),
        ];
        let mut seen = 0;
        for path in source_files(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))) {
            let text = std::fs::read_to_string(&path).unwrap();
            for (column, is_key) in columns {
                for op in [" = '", " <> '"] {
                    let needle = format!("{column}{op}");
                    for (at, _) in text.match_indices(&needle) {
                        let rest = &text[at + needle.len()..];
                        let literal = &rest[..rest.find('\'').unwrap()];
                        assert!(is_key(literal), "{}: {column} compared with {literal:?}", path.display());
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen > 20, "the SQL was not found ({seen} literals)");
    }

    fn source_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(source_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs" || e == "sql") {
                out.push(path);
            }
        }
        out
    }
}
