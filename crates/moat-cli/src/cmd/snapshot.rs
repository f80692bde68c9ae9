//! `moat snapshot`: the live cluster as one multi-document YAML file.

use crate::cli::SnapshotArgs;
use crate::exit::Failure;

#[cfg(feature = "live")]
pub fn run(args: &SnapshotArgs) -> Result<i32, Failure> {
    use moat::error::InputError;

    let read = crate::cluster::read(&args.connect)?;
    let text = moat_live::snapshot_yaml(&read);
    match &args.output {
        None => crate::stdio::print(&text)?,
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| {
                Failure::Input(vec![InputError::new(
                    None,
                    "",
                    format!("{}: cannot write: {e}", path.display()),
                )])
            })?;
            crate::stdio::stderr!(
                "wrote {} to {}",
                moat::text::count(read.objects.len(), "object"),
                path.display()
            );
        }
    }
    Ok(0)
}

#[cfg(not(feature = "live"))]
pub fn run(_: &SnapshotArgs) -> Result<i32, Failure> {
    Err(crate::cluster::without_live())
}
