//! `--state-file`: the simulated tenant written out after every change, atomically (a
//! reader never sees half a file), newest change last whatever order requests end in.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

use crate::server::lock;

/// Where the state goes, and the change last written there.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    written: Mutex<Option<u64>>,
}

impl StateFile {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            written: Mutex::new(None),
        }
    }

    /// Writes `state`, the world after change number `generation`, unless a later change
    /// was written already.
    pub fn write(&self, generation: u64, state: &Value) -> std::io::Result<()> {
        let mut written = lock(&self.written);
        if written.is_some_and(|w| w >= generation) {
            return Ok(());
        }
        replace(&self.path, &serde_json::to_vec_pretty(state)?)?;
        *written = Some(generation);
        Ok(())
    }
}

/// Writes a file beside `path`, flushes it to disk, then renames it over `path`.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(name);
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_later_change_is_never_overwritten_by_an_earlier_one() {
        let path = std::env::temp_dir().join(format!("state-{}.json", std::process::id()));
        let file = StateFile::new(path.clone());
        file.write(2, &json!({"n": 2})).unwrap();
        file.write(1, &json!({"n": 1})).unwrap();
        let read: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(read, json!({"n": 2}));
        std::fs::remove_file(path).unwrap();
    }
}
