//! `dermtone`: a thin command line over the engine and training crates.

mod ablation;
mod analyze;
mod audit;
mod bench;
mod command_line;
mod compare;
mod device;
mod eval;
mod export_onnx;
mod load;
mod serve;
mod synth;
mod tone;
mod train;
mod validate_generator;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Skin-lesion screening that runs on your own device. A screening aid, not a diagnosis.
#[derive(Parser)]
#[command(name = "dermtone", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare training arms (issue 9's ablation: real only, + generator renderings, +
    /// re-toning, tone-balanced) on the real val and test photos per Fitzpatrick group, with
    /// paired bootstrap differences from the baseline arm and, labelled apart, on synthetic
    /// renderings of the test photos; picks the arm to ship on val.
    Ablation(ablation::AblationArgs),
    /// Analyse one photo and print class probabilities.
    Analyze(AnalyzeArgs),
    /// Compare two photos of one mark taken at different times (or two saved `analyze --json`
    /// results): asymmetry, border, colours, share of the frame and malignancy, each with its
    /// direction of change, and the triage raised after a large change.
    Compare(compare::CompareArgs),
    /// Time each pipeline stage (decode, quality, tone, classify, render, the whole analysis)
    /// on each backend, with the networks' FLOPs and the GFLOP/s achieved.
    Bench(bench::BenchArgs),
    /// Export every shipped network as an ONNX graph, with a reference batch and our outputs
    /// for it, so ONNX Runtime can be checked against us (`node bench/verify-onnx.mjs DIR`).
    ExportOnnx(export_onnx::ExportOnnxArgs),
    /// Audit how each skin tone is represented in a dataset: a HAM10000 folder, the
    /// Fitzpatrick17k subset or label table, or any folder of images (searched recursively; the
    /// first subfolder names the class).
    Audit {
        /// Dataset folder, or a Fitzpatrick17k label table (.csv).
        dataset: PathBuf,
        /// Print the report as JSON (a stable interface: fields are only ever added).
        #[arg(long)]
        json: bool,
        /// Also write audit.json, audit.md and SVG charts into this folder.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Measure a shipped model: the dermoscopy model on a folder in the HAM10000 layout
    /// (split.csv + images_200x150/, masks optional), or the photo model on a folder in the
    /// Fitzpatrick17k layout (labels.csv + images/): accuracy, AUROC, calibration, the
    /// malignancy operating point and every metric per skin-tone group (labelled Fitzpatrick
    /// groups and types, and estimated ones, for Fitzpatrick17k), with bootstrap 95 % intervals.
    Eval {
        /// HAM10000- or Fitzpatrick17k-layout folder.
        #[arg(long)]
        data: PathBuf,
        /// Which split to measure.
        #[arg(long, default_value = "test")]
        split: String,
        /// Print the report as JSON (a stable interface: fields are only ever added).
        #[arg(long)]
        json: bool,
        /// Folder holding manifest.json and the weights.
        #[arg(long, default_value = "models")]
        models: PathBuf,
        /// Also write report.md, eval.json and SVG charts (confusion, ROC, reliability) here.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Estimate the skin tone of one photo (Fitzpatrick, ITA°, Monk) with its confidence.
    Tone(PhotoArgs),
    /// Re-render a photo at a Fitzpatrick type (or all six, as a labelled grid) with the shipped
    /// tone generator. The PNG written is stamped as synthetic in its text chunks.
    Synth(synth::SynthArgs),
    /// Train a model from the shared datasets and write it into the models folder.
    Train {
        #[command(subcommand)]
        task: train::TrainTask,
    },
    /// Validate the shipped tone generator on held-out photos (phase 3): tone hit, diagnosis
    /// kept, lesion SSIM, realism against the plain re-toning, and an artefact check.
    ValidateGenerator(validate_generator::ValidateArgs),
    /// Serve the page (dist/, which ./build.sh builds from www/) and the models on this machine
    /// only.
    Serve {
        /// TCP port on 127.0.0.1 (0 picks a free one and prints it).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Folder with index.html and the built wasm: the page as ./build.sh writes it.
        #[arg(long, default_value = "dist")]
        root: PathBuf,
        /// Folder served under /models/.
        #[arg(long, default_value = "models")]
        models: PathBuf,
    },
}

/// One photo through the shipped models: shared by `analyze` and `tone`.
#[derive(Args)]
pub struct PhotoArgs {
    /// JPEG, PNG or WebP file.
    image: PathBuf,
    /// Print the result as JSON (a stable interface: fields are only ever added).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    engine: EngineArgs,
}

/// Which models run, how the photos were taken and on what: shared by every command that
/// analyses photos.
#[derive(Args)]
pub struct EngineArgs {
    /// Which burn backend runs the networks.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    backend: Backend,
    /// How the photo was taken, which picks the classifier. Defaults to dermoscopy so that
    /// scripts written before plain-photo support keep their behaviour.
    #[arg(long, value_enum, default_value_t = Mode::Dermoscopy)]
    mode: Mode,
    /// Folder holding manifest.json and the weights.
    #[arg(long, default_value = "models")]
    models: PathBuf,
}

/// `analyze`'s arguments: the photo's, and where to write the heatmap overlay.
#[derive(Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    photo: PhotoArgs,
    /// Also write the photo with the heatmap of where the model looked laid over it, as a PNG
    /// (where the model looked, not a diagnosis).
    #[arg(long, value_name = "OUT.png")]
    heatmap: Option<PathBuf>,
}

/// Capture modes, each with its own classifier in the manifest.
#[derive(Clone, Copy, ValueEnum)]
pub enum Mode {
    /// A plain phone or camera photo of the skin (the clinical-photo model).
    Photo,
    /// A photo taken through a dermatoscope (the dermoscopy model).
    Dermoscopy,
}

impl Mode {
    /// The manifest `task` whose model serves this mode.
    pub fn task(self) -> &'static str {
        match self {
            Mode::Photo => "photo",
            Mode::Dermoscopy => "dermoscopy",
        }
    }
}

/// Backends the CLI can run the networks on.
#[derive(Clone, Copy, ValueEnum)]
pub enum Backend {
    /// burn's pure-Rust CPU backend (flex).
    Cpu,
    /// burn's wgpu backend (Vulkan, Metal or a software adapter such as lavapipe).
    Wgpu,
}

impl Backend {
    /// The name results carry (`backend` in JSON).
    pub fn name(self) -> &'static str {
        match self {
            Backend::Cpu => "cpu",
            Backend::Wgpu => "wgpu",
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ablation(args) => ablation::run(&args),
        Command::Analyze(photo) => analyze::run(&photo),
        Command::Compare(args) => compare::run(&args),
        Command::Bench(args) => bench::run(&args, command_line::command_line()),
        Command::ExportOnnx(args) => export_onnx::run(&args),
        Command::Audit { dataset, json, out } => audit::run(&dataset, json, out.as_deref()),
        Command::Eval {
            data,
            split,
            json,
            models,
            report,
        } => eval::run(&data, &split, &models, json, report.as_deref()),
        Command::Tone(photo) => tone::run(&photo),
        Command::Synth(args) => synth::run(&args),
        Command::Train { task } => train::run(task),
        Command::ValidateGenerator(args) => {
            validate_generator::run(&args, &command_line::command_line())
        }
        Command::Serve { port, root, models } => serve::run(port, &root, &models),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dermtone: {message}");
            ExitCode::FAILURE
        }
    }
}
