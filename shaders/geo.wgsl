// Fills, outlines and lines (pipeline "geo").
// Positions are f32 metres from the scene's local origin (y north); `offset` is a screen offset in
// logical pixels (y down) that gives strokes their width in pixels at any zoom.

struct View {
    // camera centre relative to the local origin (world mode), or the viewport centre in px (screen mode)
    center: vec2<f32>,
    // clip units per position unit
    scale: vec2<f32>,
    // clip units per logical pixel (y down → clip y up)
    px_to_clip: vec2<f32>,
    // 1.0 when the target is an sRGB format: colours are converted to linear before output
    srgb_out: f32,
    _pad: f32,
};

@group(0) @binding(0) var<uniform> view: View;

struct VsIn {
    @location(0) pos: vec2<f32>,
    @location(1) offset: vec2<f32>,
    @location(2) color: vec4<f32>,
};

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) color: vec4<f32>,
};

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

@vertex
fn vs_main(in: VsIn) -> VsOut {
    var out: VsOut;
    let p = (in.pos - view.center) * view.scale + in.offset * view.px_to_clip;
    out.clip = vec4<f32>(p, 0.0, 1.0);
    var rgb = in.color.rgb;
    if (view.srgb_out > 0.5) {
        rgb = srgb_to_linear(rgb);
    }
    out.color = vec4<f32>(rgb, in.color.a);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    return in.color;
}
