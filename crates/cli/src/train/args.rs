//! Arguments and checks more than one `dermtone train` subcommand shares.

/// Regularisers both classifiers' training can add (each off by default, as the shipped
/// models were trained).
#[derive(clap::Args)]
pub struct Regularisers {
    /// Keep an exponential moving average of the weights with this decay (e.g. 0.999) and
    /// select the average on val instead of the last step's weights.
    #[arg(long)]
    pub(super) ema: Option<f64>,
    /// Mixup with Beta(α, α) blends (e.g. 0.2): each batch blended with a shuffled copy of
    /// itself, images and targets alike.
    #[arg(long)]
    pub(super) mixup: Option<f32>,
}

impl Regularisers {
    /// Refuses values outside each regulariser's range.
    pub(super) fn check(&self) -> Result<(), String> {
        if self.ema.is_some_and(|d| !(0.0..1.0).contains(&d)) {
            return Err("--ema must be in [0, 1)".into());
        }
        if self.mixup.is_some_and(|a| !(a > 0.0 && a <= 4.0)) {
            return Err("--mixup must be in (0, 4]".into());
        }
        Ok(())
    }
}

/// Refuses an empty schedule or network, or an input too small for the network.
pub(super) fn check_shape(
    epochs: usize,
    batch_size: usize,
    size: u32,
    width: usize,
) -> Result<(), String> {
    if batch_size == 0 || epochs == 0 || size < 16 || width == 0 {
        return Err(
            "--epochs, --batch-size and --width must be positive and --size at least 16".into(),
        );
    }
    Ok(())
}
