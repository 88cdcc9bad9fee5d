//! `portal exposures export`: the signed exposure list and its change lists as static files, for
//! nginx or a CDN to serve at their own speed. Under `--out`:
//!
//! - `api/v1/exposures`: the whole list, what `GET /api/v1/exposures` answers;
//! - `api/v1/exposures-since/N`: the changes after sequence N (`?since=N`), for the last
//!   `--changes` sequences; older ones are removed, and a server falls back to the whole list.
//!
//! Each file is written beside its place under a name of its own and renamed into it, so a
//! server never reads half of one. A list is good for two days: run the export again after every
//! change and at least daily, one at a time (`docs/exposure.md` gives a cron line with `flock`).

use std::path::{Path, PathBuf};

use crate::error::io;
use crate::web::exposure_list::signed;
use crate::web::AppState;
use crate::{Error, Result};

/// What an export wrote.
pub struct Exported {
    pub sequence: u64,
    pub changes: Vec<u64>,
    pub dir: PathBuf,
}

/// What a file being written is called until it is renamed into place: its name, this
/// process's id and a random number, so that two exports at once never write the same one.
fn partial(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    path.with_file_name(format!(
        "{name}.{}.{:08x}.partial",
        std::process::id(),
        rand::random::<u32>()
    ))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().expect("a file in a folder");
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let temporary = partial(path);
    std::fs::write(&temporary, bytes).map_err(io(&temporary))?;
    std::fs::rename(&temporary, path).map_err(io(path))
}

/// Writes the list and its changes since each of the last `changes` sequences under `out`.
pub async fn export(app: &AppState, out: &Path, changes: u64) -> Result<Exported> {
    let (list, body) = signed(app, None).await.map_err(Error::Export)?;
    let api = out.join("api").join("v1");
    write_atomically(&api.join("exposures"), &body)?;
    let since_dir = api.join("exposures-since");
    std::fs::create_dir_all(&since_dir).map_err(io(&since_dir))?;
    let from = list.sequence.saturating_sub(changes);
    let mut written = Vec::new();
    for since in from..list.sequence {
        let (changes, body) = signed(app, Some(since)).await.map_err(Error::Export)?;
        // Published or retracted meanwhile: the whole list and its changes would disagree.
        if changes.sequence != list.sequence {
            return Err(Error::Export(format!(
                "the list changed while it was exported (sequence {} became {}); run the \
                 export again",
                list.sequence, changes.sequence
            )));
        }
        write_atomically(&since_dir.join(since.to_string()), &body)?;
        written.push(since);
    }
    // Changes since an older sequence, or from a list that has since moved on, would be wrong.
    for entry in std::fs::read_dir(&since_dir).map_err(io(&since_dir))? {
        let entry = entry.map_err(io(&since_dir))?;
        let name = entry.file_name();
        let name = name.to_str().unwrap_or_default();
        // Another export's file still being written is its own to rename.
        let kept =
            name.ends_with(".partial") || name.parse::<u64>().is_ok_and(|n| written.contains(&n));
        if !kept {
            std::fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
        }
    }
    Ok(Exported {
        sequence: list.sequence,
        changes: written,
        dir: out.to_owned(),
    })
}
