//! `--base REV`: manifests read from a git revision with `git ls-tree` and
//! `git cat-file --batch`, never touching the work tree or the index. The library stays
//! free of processes; this is the CLI's job.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use moat::error::InputError;
use moat::load::{Source, MAX_FILE_BYTES};

use crate::endpoint_arg::bad;
use crate::exit::Failure;

fn git(args: &[&str]) -> Result<Vec<u8>, Failure> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| bad(format!("--base: cannot run git: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(bad(format!(
            "--base: `git {}` failed: {}",
            args.join(" "),
            err.trim()
        )));
    }
    Ok(out.stdout)
}

fn is_manifest(p: &str) -> bool {
    matches!(
        Path::new(p).extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// The manifests under `paths` at `rev`, named `REV:path`. A path with no manifest at REV
/// (added by the change) is reported in the notes, and gives the old side nothing.
pub fn sources_at(rev: &str, paths: &[PathBuf]) -> Result<(Vec<Source>, Vec<String>), Failure> {
    git(&["rev-parse", "--git-dir"]).map_err(|_| {
        bad(format!(
            "--base `{rev}`: the current directory is not inside a git repository"
        ))
    })?;
    let commit = format!("{rev}^{{commit}}");
    git(&["rev-parse", "--verify", "--quiet", &commit])
        .map_err(|_| bad(format!("--base `{rev}`: not a commit of this repository")))?;
    let mut blobs: Vec<(String, String)> = Vec::new();
    let mut notes = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            return Err(bad(
                "--base reads the same paths from git: `-` (stdin) is not a path".to_string(),
            ));
        }
        let spec = p.to_string_lossy();
        let listing = git(&["ls-tree", "-r", "-z", "--full-name", rev, "--", &spec])?;
        let before = blobs.len();
        for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            // `<mode> SP <type> SP <object> TAB <path>`
            let Some((meta, path)) = entry.split_once('\t') else {
                continue;
            };
            let mut meta = meta.split(' ');
            let (_, kind, object) = (meta.next(), meta.next(), meta.next());
            if kind == Some("blob") && is_manifest(path) {
                if let Some(o) = object {
                    blobs.push((o.to_string(), path.to_string()));
                }
            }
        }
        if blobs.len() == before {
            notes.push(format!(
                "{spec} has no .yaml, .yml or .json files at {rev}: the old side has nothing from it"
            ));
        }
    }
    blobs.sort_by(|a, b| a.1.cmp(&b.1));
    blobs.dedup_by(|a, b| a.1 == b.1);
    Ok((read_blobs(rev, &blobs)?, notes))
}

/// Every blob's content through one `git cat-file --batch`.
fn read_blobs(rev: &str, blobs: &[(String, String)]) -> Result<Vec<Source>, Failure> {
    if blobs.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| bad(format!("--base: cannot run git: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| bad("--base: no stdin for git cat-file".to_string()))?;
    let request: String = blobs.iter().map(|(o, _)| format!("{o}\n")).collect();
    // Write from another thread: git answers while it reads, and pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut out = Vec::new();
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| bad("--base: no stdout for git cat-file".to_string()))?;
    stdout
        .read_to_end(&mut out)
        .map_err(|e| bad(format!("--base: reading git cat-file: {e}")))?;
    let _ = writer.join();
    let status = child
        .wait()
        .map_err(|e| bad(format!("--base: git cat-file: {e}")))?;
    if !status.success() {
        return Err(bad("--base: git cat-file failed".to_string()));
    }
    let mut sources = Vec::with_capacity(blobs.len());
    let mut errors = Vec::new();
    let mut rest = out.as_slice();
    for (_, path) in blobs {
        let name = format!("{rev}:{path}");
        // `<object> SP blob SP <size> LF <content> LF`
        let nl = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| bad(format!("--base: short answer from git for {name}")))?;
        let header = String::from_utf8_lossy(&rest[..nl]).to_string();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(format!("--base: unexpected answer from git: {header}")))?;
        let body = rest
            .get(nl + 1..nl + 1 + size)
            .ok_or_else(|| bad(format!("--base: short answer from git for {name}")))?;
        rest = rest.get(nl + 2 + size..).unwrap_or(&[]);
        if size as u64 > MAX_FILE_BYTES {
            errors.push(InputError::new(
                None,
                "",
                format!("{name}: more than {MAX_FILE_BYTES} bytes"),
            ));
            continue;
        }
        match String::from_utf8(body.to_vec()) {
            Ok(text) => sources.push(Source {
                name: Arc::from(name.as_str()),
                text,
            }),
            Err(_) => errors.push(InputError::new(None, "", format!("{name}: not UTF-8 text"))),
        }
    }
    if errors.is_empty() {
        Ok(sources)
    } else {
        Err(Failure::Input(errors))
    }
}
