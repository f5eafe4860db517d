//! `dermtone validate-generator`: phase 3's report on the shipped tone generator.

use std::path::PathBuf;

use clap::Args;
use dermtone_train::generator::validation::grids::example_grids;
use dermtone_train::generator::validation::inputs::ValidationOptions;
use dermtone_train::generator::validation::report::{report_paths, validation_markdown};
use dermtone_train::generator::validation::validate::validate_generator;

/// Options of `dermtone validate-generator`.
#[derive(Args)]
pub struct ValidateArgs {
    /// Fitzpatrick17k subset folder (labels.csv + images/).
    #[arg(long)]
    data: PathBuf,
    /// HAM10000 folder with `masks_200x150.npz` (lesion SSIM, dermoscopy diagnosis).
    #[arg(long)]
    ham10000: Option<PathBuf>,
    /// Folder holding manifest.json and every model.
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// Held-out split: `val` to choose between candidates, `test` to report.
    #[arg(long, default_value = "test")]
    split: String,
    /// At most this many photos per dataset.
    #[arg(long)]
    limit: Option<usize>,
    /// Print the report as JSON (a stable interface: fields are only ever added).
    #[arg(long)]
    json: bool,
    /// Also write `<id>.validation.json` and `.md` into the models folder, and example grids
    /// into `<id>.validation/` beside them.
    #[arg(long)]
    write: bool,
}

pub fn run(args: &ValidateArgs, command: &str) -> Result<(), String> {
    if !matches!(args.split.as_str(), "val" | "test") {
        return Err(format!(
            "--split {:?}: the generator is validated on held-out photos only (val or test)",
            args.split
        ));
    }
    let options = ValidationOptions {
        fitzpatrick17k: &args.data,
        ham10000: args.ham10000.as_deref(),
        models: &args.models,
        split: &args.split,
        limit: args.limit,
    };
    let report = validate_generator(&options)?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    if args.write {
        let id = &report.generator.id;
        let grid_dir = args.models.join(format!("{id}.validation"));
        std::fs::create_dir_all(&grid_dir)
            .map_err(|e| format!("cannot create {}: {e}", grid_dir.display()))?;
        let mut names = Vec::new();
        for (name, bytes) in example_grids(&options, 2)? {
            let path = grid_dir.join(&name);
            std::fs::write(&path, bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            names.push(format!("{id}.validation/{name}"));
        }
        let (json_path, md_path) = report_paths(&args.models, id);
        std::fs::write(&json_path, &json)
            .map_err(|e| format!("cannot write {}: {e}", json_path.display()))?;
        std::fs::write(&md_path, validation_markdown(&report, command, &names))
            .map_err(|e| format!("cannot write {}: {e}", md_path.display()))?;
    }
    if args.json {
        println!("{json}");
    } else {
        print!("{}", validation_markdown(&report, command, &[]));
    }
    Ok(())
}
