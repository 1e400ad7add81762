//! The app's fonts: egui's own, then the CJK subset the renderer ships (every Chinese name
//! in the shipped data), then the system's Chinese font for everything else a planner's own
//! data holds (field names such as 建筑面积, values, file names), so that no text shows as
//! boxes. The system font is found through fontconfig (`fc-match`), or at the paths Debian's
//! `fonts-noto-cjk`, `fonts-wqy-microhei` and `fonts-droid-fallback` use.

use eframe::egui;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the system keeps common CJK fonts when fontconfig is not there to ask.
const KNOWN: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    (
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        0,
    ),
];

/// A system font that covers Simplified Chinese: its file and face index.
pub fn system_cjk_font() -> Option<(PathBuf, u32)> {
    let asked = std::process::Command::new("fc-match")
        .args([
            "-f",
            "%{file}\n%{index}",
            "sans-serif:lang=zh-cn:charset=5efa",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| {
            let text = String::from_utf8(o.stdout).ok()?;
            let mut lines = text.lines();
            let file = PathBuf::from(lines.next()?);
            let index = lines
                .next()
                .and_then(|i| i.trim().parse().ok())
                .unwrap_or(0);
            // fontconfig answers with its best match even when nothing has the character
            // asked for; only a font file that exists and is a CJK one is taken.
            let name = file.file_name()?.to_string_lossy().to_lowercase();
            let cjk = [
                "cjk",
                "wqy",
                "droidsansfallback",
                "sourcehan",
                "hei",
                "song",
                "ming",
            ]
            .iter()
            .any(|k| name.contains(k));
            (cjk && file.is_file()).then_some((file, index))
        });
    asked.or_else(|| {
        KNOWN
            .iter()
            .map(|&(p, i)| (PathBuf::from(p), i))
            .find(|(p, _)| p.is_file())
    })
}

/// egui's fonts, then the shipped CJK subset, then the system's CJK font when there is one.
pub fn definitions() -> egui::FontDefinitions {
    let mut fonts = egui::FontDefinitions::default();
    let mut fallbacks = vec![(
        "noto-cjk-sc-subset".to_string(),
        egui::FontData::from_static(crate::render::text::FONT_BYTES),
    )];
    if let Some((path, index)) = system_cjk_font()
        && let Ok(bytes) = std::fs::read(&path)
    {
        let mut data = egui::FontData::from_owned(bytes);
        data.index = index;
        fallbacks.push(("system-cjk".to_string(), data));
    }
    for (name, data) in fallbacks {
        fonts.font_data.insert(name.clone(), Arc::new(data));
        for fam in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
            fonts.families.entry(fam).or_default().push(name.clone());
        }
    }
    fonts
}
