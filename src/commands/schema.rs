//! `recover schema`: the playbook format as JSON Schema, from the same types that load it.

use std::io::Write;

use schemars::generate::SchemaSettings;

use crate::error::Error;
use crate::exit_code::Exit;
use crate::playbook::Playbook;

/// The JSON Schema (draft-07) of a playbook file.
#[must_use]
pub fn schema() -> serde_json::Value {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Playbook>();
    schema.to_value()
}

/// Prints the schema, for yaml-language-server and other editors.
pub fn run() -> Result<Exit, Error> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &schema()).map_err(|e| Error::stdout(e.into()))?;
    writeln!(out).map_err(Error::stdout)?;
    Ok(Exit::Success)
}
