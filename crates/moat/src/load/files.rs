//! Finding and reading input files: directories are walked recursively for `.yaml`, `.yml`
//! and `.json`, honouring `.gitignore`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::InputError;

/// Largest input file read, so that an absurd input is an error, not an exhaustion.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// One input text and the name used in messages.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: Arc<str>,
    pub text: String,
}

fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Expand paths: files as given, directories to their manifest files (sorted).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| InputError::new(None, "", format!("{}: {e}", p.display())))?;
        if !meta.is_dir() {
            out.push(p.clone());
            continue;
        }
        let mut found = Vec::new();
        let walker = ignore::WalkBuilder::new(p)
            .hidden(false)
            .require_git(false)
            .build();
        for entry in walker {
            let entry =
                entry.map_err(|e| InputError::new(None, "", format!("{}: {e}", p.display())))?;
            let path = entry.path();
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            let hidden_git = path.components().any(|c| c.as_os_str() == ".git");
            if is_file && !hidden_git && is_manifest(path) {
                found.push(path.to_path_buf());
            }
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// Read one file, bounded in size.
pub fn read_source(path: &Path) -> Result<Source, InputError> {
    let name: Arc<str> = Arc::from(path.display().to_string());
    let meta =
        std::fs::metadata(path).map_err(|e| InputError::new(None, "", format!("{name}: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(InputError::new(
            None,
            "",
            format!(
                "{name}: {} bytes is more than the {MAX_FILE_BYTES} accepted",
                meta.len()
            ),
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| InputError::new(None, "", format!("{name}: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        InputError::new(
            None,
            "",
            format!(
                "{name}: not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(Source { name, text })
}
