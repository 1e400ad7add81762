//! Year series as an animated GIF (`gif`, image-rs's encoder): one palette of 256 colours for
//! the whole animation (NeuQuant, `color_quant`, trained on a sample of every frame, so that a
//! status colour that appears only in later years is in it), each pixel mapped through a
//! colour cache (maps have few distinct colours), frames shown `delay_cs` hundredths of a
//! second, looping forever.

use super::RenderError;
use super::offscreen::Image;
use std::collections::HashMap;

/// Encode frames (all the same size) as a looping GIF.
pub fn encode_gif(frames: &[Image], delay_cs: u16) -> Result<Vec<u8>, RenderError> {
    let Some(first) = frames.first() else {
        return Err(RenderError::Encode("a GIF needs at least one frame".into()));
    };
    let (w, h) = (first.width, first.height);
    if frames.iter().any(|f| f.width != w || f.height != h) {
        return Err(RenderError::Encode("GIF frames differ in size".into()));
    }
    let (gw, gh) = (
        u16::try_from(w).map_err(|_| RenderError::Encode(format!("GIF width {w} > 65535")))?,
        u16::try_from(h).map_err(|_| RenderError::Encode(format!("GIF height {h} > 65535")))?,
    );
    // training sample: every 13th pixel of every frame, opaque
    let mut sample = Vec::new();
    for f in frames {
        for px in f.pixels.chunks_exact(4).step_by(13) {
            sample.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
    }
    let nq = color_quant::NeuQuant::new(10, 256, &sample);
    let palette = nq.color_map_rgb();
    let mut out = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut out, gw, gh, &palette)
            .map_err(|e| RenderError::Encode(format!("GIF: {e}")))?;
        enc.set_repeat(gif::Repeat::Infinite)
            .map_err(|e| RenderError::Encode(format!("GIF: {e}")))?;
        let mut cache: HashMap<[u8; 3], u8> = HashMap::new();
        let mut indices = vec![0u8; (w * h) as usize];
        for f in frames {
            for (i, px) in f.pixels.chunks_exact(4).enumerate() {
                let key = [px[0], px[1], px[2]];
                indices[i] = *cache
                    .entry(key)
                    .or_insert_with(|| nq.index_of(&[px[0], px[1], px[2], 255]) as u8);
            }
            let mut frame = gif::Frame::from_indexed_pixels(gw, gh, indices.clone(), None);
            frame.delay = delay_cs;
            enc.write_frame(&frame)
                .map_err(|e| RenderError::Encode(format!("GIF: {e}")))?;
        }
    }
    Ok(out)
}
