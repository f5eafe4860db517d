//! Example grids for people: held-out photos of each labelled Fitzpatrick group rendered at all
//! six tones, labelled and stamped synthetic.

use dermtone_engine::fitzpatrick_group;

use super::inputs::{ValidationOptions, fitzpatrick_photos, load_models};

/// Labelled, stamped PNG grids (file name, bytes) of the first `per_group` measurable photos of
/// each labelled Fitzpatrick group in the split: what the renderings look like.
pub fn example_grids(
    options: &ValidationOptions,
    per_group: usize,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let models = load_models(options.models)?;
    let photos = fitzpatrick_photos(options, models.size)?;
    let mut grids = Vec::new();
    for group in ["I-II", "III-IV", "V-VI"] {
        let chosen = photos
            .iter()
            .filter(|p| p.source.is_some() && fitzpatrick_group(p.fitzpatrick) == group)
            .take(per_group);
        for (i, photo) in chosen.enumerate() {
            let rendered =
                pollster::block_on(models.photo.render(&photo.working, &[1, 2, 3, 4, 5, 6]))
                    .map_err(|e| e.to_string())?;
            let grid = dermtone_engine::tone_grid(&photo.working, &rendered.renderings);
            let provenance = dermtone_engine::Provenance {
                synthetic: true,
                generator: Some(rendered.generator.sha256.clone()),
                source_tone: Some(
                    photo
                        .fitzpatrick
                        .map_or("unknown".into(), |t| t.to_string()),
                ),
                target_tone: Some("1-6".into()),
            };
            let stamped =
                dermtone_engine::stamped_png(&grid, &provenance).map_err(|e| e.to_string())?;
            grids.push((
                format!("{}-{}-{}.png", options.split, group, i + 1),
                stamped,
            ));
        }
    }
    Ok(grids)
}
