//! `dermtone tone`: the estimated skin tone of one photo (ITA rule and, where shipped, the
//! learned estimator), as text or as JSON (a stable interface: fields are only ever added).

use dermtone_engine::ToneReport;

use crate::PhotoArgs;
use crate::load::read_photo_and_engine;

pub fn run(args: &PhotoArgs) -> Result<(), String> {
    let (photo, engine) = read_photo_and_engine(args)?;
    let (image, json) = (args.image.as_path(), args.json);
    let tone = pollster::block_on(engine.estimate_tone(&photo)).map_err(|e| e.to_string())?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&tone).map_err(|e| e.to_string())?
        );
    } else {
        println!("{}: {}", image.display(), describe(&tone));
    }
    Ok(())
}

/// One line for people, e.g. "Fitzpatrick III (learned estimator; ITA 24.1° tan, III by ITA),
/// Monk 5, confidence high".
pub fn describe(tone: &ToneReport) -> String {
    const ROMAN: [&str; 6] = ["I", "II", "III", "IV", "V", "VI"];
    let roman = |t: Option<u8>| {
        t.and_then(|t| ROMAN.get(usize::from(t).wrapping_sub(1)))
            .copied()
    };
    let Some(fitzpatrick) = roman(tone.fitzpatrick) else {
        return format!(
            "couldn't tell (too little healthy skin visible: {} pixels)",
            tone.confidence.skin_pixels
        );
    };
    let method = if tone.method == "learned" {
        "learned estimator"
    } else {
        "ITA rule"
    };
    let ita = match (tone.ita, tone.ita_category, roman(tone.ita_fitzpatrick)) {
        (Some(ita), Some(category), Some(by_ita)) => {
            format!("ITA {ita:.1}° {category}, {by_ita} by ITA")
        }
        _ => "ITA unknown".into(),
    };
    let monk = tone.monk.map_or("unknown".into(), |m| m.to_string());
    format!(
        "Fitzpatrick {fitzpatrick} ({method}; {ita}), Monk {monk}, confidence {}",
        tone.confidence.level
    )
}
