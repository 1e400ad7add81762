// Text (pipeline "text"): glyph quads sampling a single-channel coverage atlas.

struct View {
    center: vec2<f32>,
    scale: vec2<f32>,
    px_to_clip: vec2<f32>,
    srgb_out: f32,
    _pad: f32,
};

@group(0) @binding(0) var<uniform> view: View;
@group(1) @binding(0) var atlas: texture_2d<f32>;
@group(1) @binding(1) var atlas_sampler: sampler;

struct VsIn {
    @location(0) pos: vec2<f32>,
    @location(1) offset: vec2<f32>,
    @location(2) uv: vec2<f32>,
    @location(3) color: vec4<f32>,
};

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) uv: vec2<f32>,
    @location(1) color: vec4<f32>,
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
    out.uv = in.uv;
    var rgb = in.color.rgb;
    if (view.srgb_out > 0.5) {
        rgb = srgb_to_linear(rgb);
    }
    out.color = vec4<f32>(rgb, in.color.a);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    let a = textureSample(atlas, atlas_sampler, in.uv).r;
    return vec4<f32>(in.color.rgb, in.color.a * a);
}
