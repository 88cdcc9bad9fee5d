//! The venue codes this authority made, one JSON line each in `venues.jsonl`, so a poster can be
//! printed again by venue id. (Venues registered on the web site live in the database instead.)

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::io;
use crate::{Error, Result};

pub const FILE: &str = "venues.jsonl";

#[derive(Serialize, Deserialize)]
struct Line {
    id: String,
    code: String,
}

pub fn record(dir: &Path, id: &str, code: &str) -> Result<()> {
    let path = dir.join(FILE);
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io(&path))?;
    let line = serde_json::to_string(&Line {
        id: id.to_owned(),
        code: code.to_owned(),
    })
    .expect("a venue line serialises");
    writeln!(file, "{line}").map_err(io(&path))
}

/// The code made for venue `id`.
pub fn code_of(dir: &Path, id: &str) -> Result<String> {
    let path = dir.join(FILE);
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::UnknownVenue(id.to_owned()))
        }
        Err(e) => return Err(io(path)(e)),
    };
    for line in BufReader::new(file).lines() {
        let line = line.map_err(io(&path))?;
        if let Ok(entry) = serde_json::from_str::<Line>(&line) {
            if entry.id.eq_ignore_ascii_case(id.trim()) {
                return Ok(entry.code);
            }
        }
    }
    Err(Error::UnknownVenue(id.to_owned()))
}
