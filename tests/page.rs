//! Page layouts (`hetao snapshot --page …`, `render::layout`): page sizes read back from the
//! PDF (`pdfinfo`) and the SVG, vector text (`pdftotext` finds the title and the legend; the
//! SVG parses and has `<text>`), labels that never overlap each other nor the legend, a legend
//! that never covers a drawn feature, the page PNG at the DPI's pixel size with its world file,
//! and year series (GIF frames, PDF pages). The PNG and GIF tests need a GPU adapter (they say
//! "skipped" without one; `HETAO_REQUIRE_GPU=1` makes that a failure); `pdfinfo` and
//! `pdftotext` come from poppler-utils (scripts/setup-system.sh).

use hetao_atlas::cli::snapshot::figure::{FigureOptions, page_inputs};
use hetao_atlas::core::zone::embedded_dataset;
use hetao_atlas::render::layout::display::overlaps;
use hetao_atlas::render::layout::{LegendAt, Page, layout};
use hetao_atlas::render::snapshot::View;
use hetao_atlas::render::{GpuContext, Image, Scene, SceneOptions, StyleSet};
use std::process::Command;

fn has_gpu() -> bool {
    match GpuContext::shared_headless() {
        Ok(_) => true,
        Err(e) => {
            if std::env::var("HETAO_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("HETAO_REQUIRE_GPU=1 but no adapter: {e}");
            }
            eprintln!("skipped: no GPU adapter ({e})");
            false
        }
    }
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (poppler-utils) must be installed: {e}"));
    assert!(out.status.success(), "{name} {args:?}: {:?}", out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run(args: &[&str]) -> String {
    let (code, text) = hetao_atlas::cli::run_args(args);
    assert_eq!(code, 0, "{args:?}: {text}");
    text
}

/// The zone's page laid out as the CLI does, with the legend where asked.
fn zone_layout(
    legend_at: LegendAt,
    view: View,
    year: Option<i32>,
) -> hetao_atlas::render::layout::PageLayout {
    let ds = embedded_dataset().expect("zone");
    let styles = StyleSet::from_files(hetao_atlas::core::zone::STYLE_FILES).expect("styles");
    let scene = Scene::build(&ds, &styles, &SceneOptions { year, layers: None });
    let fig = FigureOptions {
        title: "Hetao test page".into(),
        year,
        legend_at,
        ..FigureOptions::default()
    };
    let inputs = page_inputs(&ds, &scene, &fig);
    let page = Page::new("A4", true, 10.0, 150.0).expect("page");
    layout(&page, view, &scene, &ds, &inputs)
}

#[test]
fn pdf_is_a4_landscape_with_the_title_and_legend_as_text() {
    let dir = tempfile::tempdir().expect("tmp");
    let pdf = dir.path().join("zone.pdf");
    let p = pdf.display().to_string();
    let text = run(&[
        "snapshot",
        "--page",
        "A4",
        "--landscape",
        "--out",
        &p,
        "--title",
        "河套 Zone report",
        "--year",
        "2025",
    ]);
    assert!(text.contains("842×595 pt"), "{text}");
    let info = tool("pdfinfo", &[&p]);
    let size = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .expect("page size line");
    // A4 landscape = 297 × 210 mm = 841.89 × 595.28 pt
    let nums: Vec<f64> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        (nums[0] - 841.89).abs() < 0.1 && (nums[1] - 595.28).abs() < 0.1,
        "{size}"
    );
    let fonts = tool("pdffonts", &[&p]);
    assert!(
        fonts.contains("NotoSansCJK") && fonts.contains("yes yes yes"),
        "font embedded, subset, with ToUnicode: {fonts}"
    );
    let words = tool("pdftotext", &[&p, "-"]);
    for want in [
        "河套 Zone report",
        "Legend",
        "Buildings by status",
        "converted to R&D",
        "Shenzhen River 深圳河",
        "as of 2025",
        "© OpenStreetMap contributors",
        "Illustrative data",
    ] {
        assert!(
            words.contains(want),
            "{want:?} not in the PDF text:\n{words}"
        );
    }
}

#[test]
fn svg_parses_has_text_and_the_page_size_in_points() {
    let dir = tempfile::tempdir().expect("tmp");
    let svg = dir.path().join("zone.svg");
    let p = svg.display().to_string();
    run(&[
        "snapshot",
        "--page",
        "A3",
        "--out",
        &p,
        "--title",
        "A & B <test>",
    ]);
    let text = std::fs::read_to_string(&svg).expect("svg");
    let doc = roxmltree::Document::parse(&text).expect("SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    // A3 portrait = 297 × 420 mm = 841.89 × 1190.55 pt
    assert_eq!(root.attribute("width"), Some("841.89pt"));
    assert_eq!(root.attribute("height"), Some("1190.55pt"));
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    assert!(texts.len() > 20, "{}", texts.len());
    for want in ["A & B <test>", "Legend", "Shenzhen River 深圳河", "planned"] {
        assert!(texts.iter().any(|t| t == want), "{want:?} not a <text>");
    }
    // the map is vector: many paths, inside the clipped map group
    let map = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("map"))
        .expect("map group");
    assert!(map.descendants().filter(|n| n.has_tag_name("path")).count() > 500);
}

#[test]
fn labels_never_overlap_each_other_nor_the_legend() {
    for (legend_at, view) in [
        (LegendAt::Column, View::Auto),
        (LegendAt::Corner, View::Auto),
        (LegendAt::Column, View::Bbox([114.0, 22.48, 114.15, 22.56])),
        (LegendAt::Corner, View::Bbox([114.0, 22.48, 114.15, 22.56])),
    ] {
        let l = zone_layout(legend_at, view, Some(2025)).list;
        let labels = &l.label_boxes;
        assert!(
            labels.len() >= 5,
            "{legend_at:?} {view:?}: {} labels",
            labels.len()
        );
        let legend = l.legend_box.expect("a legend");
        for (i, (ta, a)) in labels.iter().enumerate() {
            assert!(!overlaps(*a, legend), "{ta} on the legend ({legend_at:?})");
            assert!(
                a[0] >= l.frame[0]
                    && a[1] >= l.frame[1]
                    && a[2] <= l.frame[2]
                    && a[3] <= l.frame[3],
                "{ta} leaves the map frame"
            );
            for (tb, b) in &labels[i + 1..] {
                assert!(!overlaps(*a, *b), "{ta} overlaps {tb}");
            }
        }
    }
    // metro and MTR lines are labelled with their line names
    let l = zone_layout(
        LegendAt::Column,
        View::Bbox([114.0, 22.48, 114.15, 22.56]),
        None,
    )
    .list;
    let names: Vec<&str> = l.label_boxes.iter().map(|(t, _)| t.as_str()).collect();
    assert!(names.iter().any(|n| n.contains("Line")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("线")), "{names:?}");
}

#[test]
fn the_legend_covers_no_drawn_feature() {
    let l = zone_layout(LegendAt::Column, View::Auto, Some(2025)).list;
    let legend = l.legend_box.expect("legend");
    // beside the map frame, so over no feature at all
    assert!(
        !overlaps(legend, l.frame),
        "{legend:?} vs frame {:?}",
        l.frame
    );
    let frame = l.frame;
    for it in &l.map {
        let Some(b) = it.bbox() else { continue };
        // what of the feature is visible: its box clipped to the frame
        let vis = [
            b[0].max(frame[0]),
            b[1].max(frame[1]),
            b[2].min(frame[2]),
            b[3].min(frame[3]),
        ];
        if vis[0] < vis[2] && vis[1] < vis[3] {
            assert!(
                !overlaps(vis, legend),
                "legend {legend:?} over a feature {vis:?}"
            );
        }
    }
    // in the corner mode it goes where the features cover least (bottom right is the sea
    // and the HK side's few roads in the zone view; any corner is allowed, but it must be
    // the one of least coverage)
    let c = zone_layout(LegendAt::Corner, View::Auto, Some(2025)).list;
    let lb = c.legend_box.expect("legend");
    assert!(
        lb[0] >= c.frame[0] && lb[2] <= c.frame[2] && lb[1] >= c.frame[1] && lb[3] <= c.frame[3]
    );
    use hetao_atlas::render::layout::place::{CORNERS, corner_box, coverage};
    let mine = coverage(&c.map, lb);
    let best = CORNERS
        .iter()
        .map(|&(r, bt)| {
            coverage(
                &c.map,
                corner_box(
                    c.frame,
                    lb[2] - lb[0],
                    lb[3] - lb[1],
                    lb_inset(&c.frame, lb),
                    r,
                    bt,
                ),
            )
        })
        .fold(f32::MAX, f32::min);
    assert!(
        mine <= best + 1e-3,
        "legend coverage {mine} > best corner {best}"
    );
}

fn lb_inset(frame: &[f32; 4], lb: [f32; 4]) -> f32 {
    // the inset is the smallest distance from the legend to the frame's edges
    [
        lb[0] - frame[0],
        frame[2] - lb[2],
        lb[1] - frame[1],
        frame[3] - lb[3],
    ]
    .into_iter()
    .fold(f32::MAX, f32::min)
}

#[test]
fn a4_png_at_300_dpi_has_the_page_pixel_size_and_a_world_file() {
    if !has_gpu() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let png = dir.path().join("zone.png");
    let p = png.display().to_string();
    run(&[
        "snapshot",
        "--page",
        "A4",
        "--landscape",
        "--dpi",
        "300",
        "--out",
        &p,
        "--world-file",
    ]);
    let img = Image::decode_png(&std::fs::read(&png).expect("png")).expect("decode");
    assert_eq!((img.width, img.height), (3508, 2480));
    // the paper outside the map frame is white, the map inside is not
    assert_eq!(img.pixel(5, 5), Some([255, 255, 255, 255]));
    let l = zone_layout(LegendAt::Column, View::Auto, None).list;
    let s = 300.0 / 72.0;
    let mid = [
        ((l.frame[0] + l.frame[2]) / 2.0 * s) as u32,
        ((l.frame[1] + l.frame[3]) / 2.0 * s) as u32,
    ];
    assert_ne!(img.pixel(mid[0], mid[1]), Some([255, 255, 255, 255]));
    let pgw = std::fs::read_to_string(dir.path().join("zone.pgw")).expect("pgw");
    let v: Vec<f64> = pgw.lines().map(|l| l.parse().expect("number")).collect();
    // square pixels, north up
    assert!(
        v[0] > 0.0 && (v[0] + v[3]).abs() < 1e-9 && v[1] == 0.0,
        "{pgw}"
    );
}

#[test]
fn year_series_make_gif_frames_and_pdf_pages() {
    let dir = tempfile::tempdir().expect("tmp");
    let pdf = dir.path().join("years.pdf");
    let p = pdf.display().to_string();
    let text = run(&["snapshot", "--years", "2017..2019", "--out", &p]);
    assert!(text.contains("3 pages"), "{text}");
    let info = tool("pdfinfo", &[&p]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(" 3")),
        "{info}"
    );
    // each page has its year large and the delivered-versus-target figure
    for (page, year) in [(1, "2017"), (3, "2019")] {
        let t = tool(
            "pdftotext",
            &["-f", &page.to_string(), "-l", &page.to_string(), &p, "-"],
        );
        assert!(t.contains(year), "page {page}: {t}");
        assert!(t.contains("Target by 2035"), "page {page}: {t}");
    }
    if !has_gpu() {
        return;
    }
    let gif = dir.path().join("years.gif");
    let g = gif.display().to_string();
    run(&[
        "snapshot",
        "--years",
        "2017..2019",
        "--dpi",
        "48",
        "--out",
        &g,
    ]);
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::Indexed);
    let mut dec = opts
        .read_info(std::fs::File::open(&gif).expect("gif"))
        .expect("gif header");
    let (w, h) = (dec.width(), dec.height());
    // A4 landscape at 48 dpi: 561 × 397 px
    assert_eq!((w, h), (561, 397));
    let mut frames = Vec::new();
    while let Some(f) = dec.read_next_frame().expect("frame") {
        frames.push(f.buffer.to_vec());
    }
    assert_eq!(frames.len(), 3);
    assert_ne!(
        frames[0], frames[2],
        "the frames differ (the year, the buildings)"
    );
    // numbered PNGs
    let pattern = dir.path().join("frame_%04d.png");
    run(&[
        "snapshot",
        "--years",
        "2017,2035",
        "--dpi",
        "48",
        "--out",
        &pattern.display().to_string(),
    ]);
    assert!(dir.path().join("frame_2017.png").is_file());
    assert!(dir.path().join("frame_2035.png").is_file());
}
