//! Where a photo model's training starts, when not from random weights: the body of a shipped
//! dermoscopy model (`--init-from`), a whole shipped photo model (`--continue-from`), or the
//! shipped photo model fine-tuned with new photos (`--add`). Each checks that the model has the
//! shape the run asks for.

use std::collections::HashSet;
use std::path::Path;

use burn::tensor::Device;
use dermtone_engine::InputSpec;
use dermtone_net::{ClassifierConfig, NetKind};

use crate::clinical::eval::load_shipped_photo;
use crate::clinical::new_photos::{AddPhotos, load_new_photos};
use crate::clinical::options::ClinicalTrainOptions;
use crate::clinical::split::ClinicalSplit;
use crate::datasets::fitzpatrick17k::Record;
use crate::dermoscopy::eval::load_shipped;

/// The f32 record of `config`'s shape holding the body of the dermoscopy model shipped in
/// `models_dir` and a fresh head. A wider mobile network than the shipped one starts from its
/// body widened without changing what it computes (see [`dermtone_net::MobileNet::widened`]).
pub(crate) fn dermoscopy_body(
    models_dir: &Path,
    config: &ClassifierConfig,
) -> Result<Vec<u8>, String> {
    let (entry, model) = load_shipped(models_dir)?;
    let source = entry.architecture.config();
    let wider = source.base_width < config.base_width || source.expansion < config.expansion;
    let narrower = source.base_width > config.base_width || source.expansion > config.expansion;
    if source.kind != config.kind || narrower || (wider && config.kind != NetKind::Mobile) {
        return Err(format!(
            "--init-from: model {} is a {:?} network of width {} and expansion {}, not {:?} of \
             width {} and expansion {} (a mobile body can start a wider mobile network, not a \
             narrower one)",
            entry.id,
            source.kind,
            source.base_width,
            source.expansion,
            config.kind,
            config.base_width,
            config.expansion
        ));
    }
    let model = if wider { model.widened(config)? } else { model };
    model
        .with_new_head(config.num_classes, &Device::flex())?
        .record_bytes()
}

/// The shipped photo model's input normalisation and f32 record, to be fine-tuned, with the new
/// photos of `add` appended to `train` as real photos. The model must have the shape `options`
/// ask for; none of the new photos may be in the fixed test split.
pub(crate) fn shipped_to_fine_tune(
    options: &ClinicalTrainOptions,
    add: &AddPhotos,
    records: &[Record],
    train: &mut ClinicalSplit,
) -> Result<(InputSpec, Vec<u8>), String> {
    if options.init_from.is_some() || options.continue_from.is_some() {
        return Err(
            "--add fine-tunes the shipped photo model; it cannot also start from --init-from \
             or --continue-from"
                .into(),
        );
    }
    let (input, record) = shipped_photo_record(options, &add.shipped, "--add")?;
    let test_ids: HashSet<String> = records
        .iter()
        .filter(|r| r.split == "test")
        .map(|r| r.md5hash.clone())
        .collect();
    let size = options.input_size;
    let new = load_new_photos(&add.new_photos, &test_ids, size + size / 4)?;
    let added = new.images.len();
    train.split.images.extend(new.images);
    train.split.labels.extend(new.labels);
    train.tones.extend(new.tones);
    train.synthetic.extend(std::iter::repeat_n(false, added));
    Ok((input, record))
}

/// The input normalisation and f32 record of the photo model shipped in `models_dir`, which
/// must have the shape `options` ask for (`flag` names the option in the error).
pub(crate) fn shipped_photo_record(
    options: &ClinicalTrainOptions,
    models_dir: &Path,
    flag: &str,
) -> Result<(InputSpec, Vec<u8>), String> {
    if options.init_from.is_some() && options.continue_from.is_some() {
        return Err(
            "--continue-from starts from a whole photo model; it cannot also take \
                    --init-from's dermoscopy body"
                .into(),
        );
    }
    let (entry, model) = load_shipped_photo(models_dir)?;
    let shipped = entry.architecture.config();
    if shipped.base_width != options.base_width
        || shipped.expansion != options.expansion
        || shipped.kind != options.kind
        || entry.input.size != options.input_size
    {
        return Err(format!(
            "{flag}: the shipped model {} is a {:?} network of width {} and expansion {} at {} \
             px, not {:?} of width {} and expansion {} at {} px: pass its --width, --expansion \
             and --size",
            entry.id,
            shipped.kind,
            shipped.base_width,
            shipped.expansion,
            entry.input.size,
            options.kind,
            options.base_width,
            options.expansion,
            options.input_size
        ));
    }
    Ok((entry.input, model.record_bytes()?))
}
