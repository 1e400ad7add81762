//! Report-ready pages, for `hetao snapshot --page …` and the app's Export: lay out the page
//! (`render::layout`) with the content from [`super::figure`], and write it in the format the
//! output's extension names — PNG at the page's pixel size (with an optional world file), PDF
//! or SVG (vector) — or, for a year series, an animated GIF, numbered PNGs or a multi-page PDF.

use super::figure::{FigureOptions, page_inputs};
use crate::core::atomic::write_atomic;
use crate::core::model::Dataset;
use crate::render::gpu::{GpuContext, MapRenderer};
use crate::render::layout::{Page, PageLayout, layout};
use crate::render::offscreen::{OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES};
use crate::render::snapshot::View;
use crate::render::{Scene, SceneOptions, StyleSet};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

/// The most pixels a raster page may have (A2 at 400 dpi is 43 Mpx; the offscreen target
/// holds 4 MSAA samples a pixel).
pub const MAX_PIXELS: u64 = 80_000_000;

/// The output format, from the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Raster, at the page's DPI.
    Png,
    /// Vector PDF (a year series: one page per year).
    Pdf,
    /// Vector SVG.
    Svg,
    /// Animated GIF (year series).
    Gif,
}

impl Format {
    /// The format an output path names by its extension.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(Format::Png),
            "pdf" => Some(Format::Pdf),
            "svg" => Some(Format::Svg),
            "gif" => Some(Format::Gif),
            _ => None,
        }
    }
}

/// A page export.
#[derive(Debug, Clone)]
pub struct PageJob {
    /// Output file (for numbered PNGs: a name with `%04d`, or a folder).
    pub out: PathBuf,
    /// The page.
    pub page: Page,
    /// The view.
    pub view: View,
    /// Layers to draw (`None`: the visible ones).
    pub layers: Option<Vec<String>>,
    /// Texts and options.
    pub figure: FigureOptions,
    /// A year series (one frame per year), else a single page as of `figure.year`.
    pub years: Option<Vec<i32>>,
    /// Also write a world file beside a PNG.
    pub world_file: bool,
    /// GIF frame time, hundredths of a second.
    pub gif_delay_cs: u16,
}

/// Parse `2017..2035` (inclusive), `2017..=2035` or `2017,2020,2035`.
pub fn parse_years(s: &str) -> anyhow::Result<Vec<i32>> {
    let year = |t: &str| -> anyhow::Result<i32> {
        let y: i32 = t
            .trim()
            .parse()
            .with_context(|| format!("{t:?} is not a year"))?;
        if !(1900..=2200).contains(&y) {
            bail!("year {y} is outside 1900..2200");
        }
        Ok(y)
    };
    let years = if let Some((a, b)) = s.split_once("..") {
        let (a, b) = (year(a)?, year(b.trim_start_matches('='))?);
        if b < a {
            bail!("{s:?}: the last year is before the first");
        }
        (a..=b).collect()
    } else {
        s.split(',').map(year).collect::<anyhow::Result<Vec<_>>>()?
    };
    if years.is_empty() || years.len() > 200 {
        bail!("{s:?}: between 1 and 200 years");
    }
    Ok(years)
}

/// The file of frame `year` for numbered PNGs: `%04d` in the name replaced by the year, or
/// `YEAR.png` inside a folder.
pub fn frame_path(out: &Path, year: i32) -> PathBuf {
    let s = out.to_string_lossy();
    if s.contains("%04d") {
        PathBuf::from(s.replace("%04d", &format!("{year:04}")))
    } else {
        out.join(format!("{year}.png"))
    }
}

/// Lay out the page of one year (or none).
fn lay_out(
    ds: &Dataset,
    styles: &StyleSet,
    job: &PageJob,
    year: Option<i32>,
) -> (Scene, PageLayout) {
    let scene = Scene::build(
        ds,
        styles,
        &SceneOptions {
            year,
            layers: job.layers.clone(),
        },
    );
    let mut fig = job.figure.clone();
    fig.year = year;
    fig.big_year = job.years.is_some();
    let inputs = page_inputs(ds, &scene, &fig);
    let l = layout(&job.page, job.view, &scene, ds, &inputs);
    (scene, l)
}

/// The device to draw with: the caller's (the app's), else the shared headless one.
enum Gpu<'a> {
    Given(&'a GpuContext),
    Shared(std::sync::Arc<GpuContext>),
}

impl std::ops::Deref for Gpu<'_> {
    type Target = GpuContext;
    fn deref(&self) -> &GpuContext {
        match self {
            Gpu::Given(c) => c,
            Gpu::Shared(c) => c,
        }
    }
}

fn gpu(given: Option<&GpuContext>) -> anyhow::Result<Gpu<'_>> {
    Ok(match given {
        Some(c) => Gpu::Given(c),
        None => Gpu::Shared(GpuContext::shared_headless()?),
    })
}

/// Write the job's output, drawing PNG and GIF frames with `ctx` (else the shared headless
/// device); returns one line per file written.
pub fn export(
    ds: &Dataset,
    styles: &StyleSet,
    job: &PageJob,
    ctx: Option<&GpuContext>,
) -> anyhow::Result<Vec<String>> {
    let is_numbered = job.out.to_string_lossy().contains("%04d") || job.out.is_dir();
    let format = if is_numbered && job.years.is_some() {
        Format::Png
    } else {
        Format::of(&job.out).with_context(|| {
            format!(
                "{}: name the output *.png, *.pdf, *.svg or *.gif",
                job.out.display()
            )
        })?
    };
    let (pw, ph) = job.page.size_px();
    if matches!(format, Format::Png | Format::Gif) && u64::from(pw) * u64::from(ph) > MAX_PIXELS {
        bail!(
            "{pw}×{ph} px at {} dpi is more than the renderer draws at once ({} Mpx); lower --dpi",
            job.page.dpi,
            MAX_PIXELS / 1_000_000
        );
    }
    let mut said = Vec::new();
    let Some(years) = &job.years else {
        if format == Format::Gif {
            bail!("a GIF is a year series: add --years FIRST..LAST");
        }
        let (scene, l) = lay_out(ds, styles, job, job.figure.year);
        let (w, h) = (l.list.width, l.list.height);
        match format {
            Format::Pdf => {
                let bytes = crate::render::pdf::write_pdf(&[&l.list])?;
                write_atomic(&job.out, &bytes)?;
            }
            Format::Svg => {
                write_atomic(&job.out, crate::render::svg::write_svg(&l.list).as_bytes())?;
            }
            Format::Png | Format::Gif => {
                let ctx = gpu(ctx)?;
                let img = render_png(&ctx, &scene, &l);
                ctx.settle();
                let img = img?;
                write_atomic(&job.out, &img.encode_png()?)?;
                said.push(format!(
                    "wrote {} ({}×{} px at {} dpi, {w:.0}×{h:.0} pt, {} labels)",
                    job.out.display(),
                    img.width,
                    img.height,
                    job.page.dpi,
                    l.list.label_boxes.len()
                ));
                if job.world_file {
                    let pgw = crate::render::snapshot::world_file_path(&job.out)
                        .context("a world file would replace the PNG")?;
                    write_atomic(&pgw, l.camera.world_file().as_bytes())?;
                    said.push(format!("wrote {} (EPSG:3857)", pgw.display()));
                }
                return Ok(said);
            }
        }
        said.push(format!(
            "wrote {} ({w:.0}×{h:.0} pt, {} labels)",
            job.out.display(),
            l.list.label_boxes.len()
        ));
        return Ok(said);
    };
    match format {
        Format::Pdf => {
            let lists: Vec<_> = years
                .iter()
                .map(|&y| lay_out(ds, styles, job, Some(y)).1.list)
                .collect();
            let refs: Vec<_> = lists.iter().collect();
            write_atomic(&job.out, &crate::render::pdf::write_pdf(&refs)?)?;
            said.push(format!(
                "wrote {} ({} pages)",
                job.out.display(),
                lists.len()
            ));
        }
        Format::Svg => bail!("an SVG holds one page: use .gif, .pdf or numbered PNGs for --years"),
        Format::Png | Format::Gif => {
            let ctx = gpu(ctx)?;
            let frames = render_frames(&ctx, ds, styles, job, years);
            ctx.settle();
            let frames = frames?;
            if format == Format::Gif {
                let gif = crate::render::series::encode_gif(&frames, job.gif_delay_cs)?;
                write_atomic(&job.out, &gif)?;
                said.push(format!(
                    "wrote {} ({} frames, {}×{} px)",
                    job.out.display(),
                    frames.len(),
                    frames[0].width,
                    frames[0].height
                ));
            } else {
                if !job.out.to_string_lossy().contains("%04d") {
                    std::fs::create_dir_all(&job.out)
                        .with_context(|| format!("creating {}", job.out.display()))?;
                }
                for (img, y) in frames.iter().zip(years) {
                    let p = frame_path(&job.out, *y);
                    write_atomic(&p, &img.encode_png()?)?;
                    said.push(format!("wrote {}", p.display()));
                }
            }
        }
    }
    Ok(said)
}

fn render_png(
    ctx: &GpuContext,
    scene: &Scene,
    l: &PageLayout,
) -> anyhow::Result<crate::render::Image> {
    let mut r = MapRenderer::new(&ctx.device, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES)?;
    r.set_scene(&ctx.device, &ctx.queue, scene)?;
    Ok(crate::render::page_png::render_page(ctx, &mut r, l)?)
}

fn render_frames(
    ctx: &GpuContext,
    ds: &Dataset,
    styles: &StyleSet,
    job: &PageJob,
    years: &[i32],
) -> anyhow::Result<Vec<crate::render::Image>> {
    let mut r = MapRenderer::new(&ctx.device, OFFSCREEN_FORMAT, OFFSCREEN_SAMPLES)?;
    let mut frames = Vec::with_capacity(years.len());
    for &y in years {
        let (scene, l) = lay_out(ds, styles, job, Some(y));
        r.set_scene(&ctx.device, &ctx.queue, &scene)?;
        frames.push(crate::render::page_png::render_page(ctx, &mut r, &l)?);
    }
    Ok(frames)
}
