//! The validation report for people: Markdown tables of [`GeneratorValidation`], and labelled
//! grids of held-out photos across the six tones (written beside it, never committed: they are
//! derived from the non-commercial datasets).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::generator::validation::figures::{GeneratorValidation, Judges, MethodFigures};

/// Which of the models judging these figures the generator was trained against, for people.
fn independence(judges: &Judges) -> String {
    let Some(against) = &judges.trained_against else {
        return "The photo classifier's figures are not independent evidence for a generator \
                refined with the diagnosis term (stage 2 of `train generator`): that term trains \
                it to keep exactly this classifier's prediction. The dermoscopy classifier, the \
                lesion SSIM and the learned tone estimator play no part in training."
            .into();
    };
    let judges = [
        ("photo classifier", &judges.photo_classifier),
        ("dermoscopy classifier", &judges.dermoscopy_classifier),
        ("learned tone estimator", &judges.tone_estimator),
    ];
    let (trained, untouched): (Vec<_>, Vec<_>) =
        judges.iter().partition(|(_, id)| against.contains(id));
    let names = |judges: &[&(&str, &String)]| {
        judges
            .iter()
            .map(|(what, id)| format!("the {what} ({id})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = String::new();
    if !trained.is_empty() {
        text.push_str(&format!(
            "Stage 2 of `train generator` trained this generator against the outputs of {}: \
             those figures are not independent evidence. ",
            names(&trained)
        ));
    }
    let others = if untouched.is_empty() {
        String::new()
    } else {
        format!("{}, ", names(&untouched))
    };
    text.push_str(&format!(
        "{others}the lesion SSIM and the realism and spectrum figures play no part in training \
         (the realism features are the photo classifier's)."
    ));
    text
}

/// The report as Markdown; `grids` are the grid files' names relative to the report.
pub fn validation_markdown(v: &GeneratorValidation, command: &str, grids: &[String]) -> String {
    let pct = |x: Option<f64>| x.map_or("–".into(), |x| format!("{:.1} %", 100.0 * x));
    let num = |x: Option<f64>, digits: usize| x.map_or("–".into(), |x| format!("{x:.digits$}"));
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# {} — validation of the tone generator ({} split)\n\n\
         **Every image measured here is synthetic.** These figures say how faithful the \
         renderings are; they say nothing about how well any classifier works on real skin of \
         those tones (see the classifiers' cards for that, measured on real photos only).\n\n\
         Command: `{command}`\n\nGenerator sha256 `{}`. Photos: {} Fitzpatrick17k ({} left out: \
         too little healthy skin to tell their tone), {} HAM10000 with lesion masks.\n",
        v.generator.id,
        v.split,
        v.generator.sha256,
        v.photos.fitzpatrick17k,
        v.photos.fitzpatrick17k_unmeasurable,
        v.photos.ham10000
    );
    let _ = writeln!(md, "## Targets\n\n| target | reached | |\n|---|---|---|");
    let generator = &v.methods[0];
    let retoning = v.methods.get(1);
    let _ = writeln!(
        md,
        "| tone group hit ≥ 90 % (learned estimator) | {} | {} |",
        pct(generator.tone_group_hit),
        met(v.targets.tone_hit_90)
    );
    let _ = writeln!(
        md,
        "| photo classifier top-1 kept ≥ 95 % | {} | {} |",
        pct(generator.photo_top1_kept),
        met(v.targets.diagnosis_kept_95)
    );
    let _ = writeln!(
        md,
        "| realism: Fréchet distance to real V–VI below the re-toning's | {} vs {} | {} |\n",
        num(v.realism.generator, 2),
        num(v.realism.retoning, 2),
        met(v.targets.beats_retoning)
    );
    let _ = writeln!(
        md,
        "## Tone and lesion, generator vs the plain biophysical re-toning\n\n\
         | | generator | re-toning |\n|---|---|---|"
    );
    let rows: [(&str, Figure, bool); 9] = [
        (
            "tone group hit (learned estimator)",
            |m| m.tone_group_hit,
            true,
        ),
        (
            "exact type hit (learned estimator)",
            |m| m.tone_exact_hit,
            true,
        ),
        ("tone group hit (ITA rule)", |m| m.ita_group_hit, true),
        (
            "mean ITA° error on healthy skin",
            |m| m.ita_error_mean,
            false,
        ),
        (
            "mean ITA° bias (+: lighter than asked)",
            |m| m.ita_bias_mean,
            false,
        ),
        ("photo classifier top-1 kept", |m| m.photo_top1_kept, true),
        ("photo screening decision kept", |m| m.photo_flag_kept, true),
        (
            "dermoscopy classifier top-1 kept",
            |m| m.dermoscopy_top1_kept,
            true,
        ),
        (
            "lesion luminance SSIM (HAM10000 masks)",
            |m| m.lesion_ssim,
            false,
        ),
    ];
    for (name, figure, percent) in rows {
        let show = |m: Option<&MethodFigures>| {
            let x = m.and_then(figure);
            if percent { pct(x) } else { num(x, 3) }
        };
        let _ = writeln!(
            md,
            "| {name} | {} | {} |",
            show(Some(generator)),
            show(retoning)
        );
    }
    let band = |m: Option<&MethodFigures>| {
        m.and_then(|m| m.border_excess.as_ref())
            .map_or("–".into(), |b| b.means().row())
    };
    let worst = |m: Option<&MethodFigures>| {
        m.and_then(|m| m.border_excess.as_ref())
            .map_or("–".into(), |b| b.per_rendering_95th.row())
    };
    let _ = writeln!(
        md,
        "| edge band: change on the outer 2 px − change just inside (top / bottom / left / right, 8-bit levels) | {} | {} |",
        band(Some(generator)),
        band(retoning)
    );
    let _ = writeln!(
        md,
        "| edge band of one rendering, 95th percentile (the same sides and levels) | {} | {} |",
        worst(Some(generator)),
        worst(retoning)
    );
    let _ = writeln!(
        md,
        "| renderings | {} | {} |\n",
        generator.renderings,
        retoning.map_or(0, |r| r.renderings)
    );
    let _ = writeln!(md, "{}\n", independence(&v.judges));
    let real = &v.real_photos_tone;
    let _ = writeln!(
        md,
        "For scale, on the {} real labelled photos of the split the learned estimator puts {} in \
         their labelled group ({} exactly right) and the ITA rule {}: a rendering cannot be \
         expected to be recognised more reliably than a real photo.\n",
        real.n,
        pct(real.tone_group_hit),
        pct(real.tone_exact_hit),
        pct(real.ita_group_hit)
    );
    let _ = writeln!(
        md,
        "### Per target type (generator)\n\n| type | target ITA° | n | group hit | exact hit | mean estimated type | ITA° error | ITA° bias | top-1 kept |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for t in &generator.by_target {
        let _ = writeln!(
            md,
            "| {} | {:.1} | {} | {} | {} | {} | {} | {} | {} |",
            t.fitzpatrick,
            v.target_ita[usize::from(t.fitzpatrick - 1)],
            t.n,
            pct(t.tone_group_hit),
            pct(t.tone_exact_hit),
            num(t.mean_estimated_type, 2),
            num(t.ita_error_mean, 1),
            num(t.ita_bias_mean, 1),
            pct(t.photo_top1_kept)
        );
    }
    let _ = writeln!(
        md,
        "\n## Realism at Fitzpatrick V–VI\n\nFréchet distance in the {} between real V–VI photos \
         (n {}) and {} photos labelled I–IV rendered at V and VI ({}).\n\n\
         | set | Fréchet distance |\n|---|---:|\n| generator | {} |\n| re-toning | {} |\n| untouched photos | {} |\n",
        v.realism.features,
        v.realism.real_n,
        v.realism.rendered_sources,
        v.realism.note,
        num(v.realism.generator, 2),
        num(v.realism.retoning, 2),
        num(v.realism.untouched, 2)
    );
    let _ = writeln!(
        md,
        "## Artefact check: skin-patch power spectra\n\n{} px luminance patches of healthy \
         skin (≥ 90 % skin), radially averaged log10 power.\n\n\
         | set | patches | high-frequency share | RMS log-power distance to real V–VI |\n|---|---:|---:|---:|",
        v.artefacts.patch
    );
    for s in &v.artefacts.sets {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            s.set,
            s.patches,
            pct(s.high_frequency_share),
            num(s.distance_to_real, 3)
        );
    }
    if !grids.is_empty() {
        let _ = writeln!(
            md,
            "\n## Grids\n\nHeld-out photos across the six tones, written by the command beside \
             this report and not committed (they derive from the non-commercial datasets):\n"
        );
        for g in grids {
            let _ = writeln!(md, "- `{g}`");
        }
    }
    md
}

/// One figure of a method's row.
type Figure = fn(&MethodFigures) -> Option<f64>;

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**not met**" }
}

/// Where the report files go: `<id>.validation.json` and `.md` beside the weights.
pub fn report_paths(models: &Path, id: &str) -> (PathBuf, PathBuf) {
    (
        models.join(format!("{id}.validation.json")),
        models.join(format!("{id}.validation.md")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judges(trained_against: Option<&[&str]>) -> Judges {
        Judges {
            photo_classifier: "photo-a".into(),
            dermoscopy_classifier: "derm-b".into(),
            tone_estimator: "tone-c".into(),
            trained_against: trained_against.map(|ids| ids.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn the_judges_a_generator_was_trained_against_are_named_as_not_independent() {
        let text = independence(&judges(Some(&["photo-a", "tone-c"])));
        let (trained, rest) = text.split_once("not independent").expect(&text);
        assert!(trained.contains("photo classifier (photo-a)"), "{text}");
        assert!(
            trained.contains("learned tone estimator (tone-c)"),
            "{text}"
        );
        assert!(rest.contains("dermoscopy classifier (derm-b)"), "{text}");
        assert!(!rest.contains("tone-c"), "{text}");
    }

    #[test]
    fn a_judge_swapped_in_after_training_counts_as_independent() {
        let text = independence(&judges(Some(&["photo-a", "tone-v2"])));
        let (_, rest) = text.split_once("not independent").expect(&text);
        assert!(rest.contains("learned tone estimator (tone-c)"), "{text}");
        let none = independence(&judges(Some(&[])));
        assert!(!none.contains("not independent"), "{none}");
    }

    #[test]
    fn an_older_card_keeps_the_diagnosis_terms_caveat() {
        let text = independence(&judges(None));
        assert!(text.starts_with("The photo classifier's figures are not independent"));
    }
}
