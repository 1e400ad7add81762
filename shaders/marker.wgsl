// Point markers (pipeline "marker"): one instance per point, a quad expanded in the vertex shader,
// shaded as an anti-aliased disc with an outline.

struct View {
    center: vec2<f32>,
    scale: vec2<f32>,
    px_to_clip: vec2<f32>,
    srgb_out: f32,
    _pad: f32,
};

@group(0) @binding(0) var<uniform> view: View;

struct Instance {
    @location(0) pos: vec2<f32>,
    @location(1) radius: f32,
    @location(2) stroke_width: f32,
    @location(3) fill: vec4<f32>,
    @location(4) stroke: vec4<f32>,
};

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    // position inside the marker, logical px from its centre
    @location(0) local: vec2<f32>,
    @location(1) @interpolate(flat) radius: f32,
    @location(2) @interpolate(flat) stroke_width: f32,
    @location(3) fill: vec4<f32>,
    @location(4) stroke: vec4<f32>,
};

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

fn out_colour(c: vec4<f32>) -> vec4<f32> {
    if (view.srgb_out > 0.5) {
        return vec4<f32>(srgb_to_linear(c.rgb), c.a);
    }
    return c;
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, inst: Instance) -> VsOut {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, -1.0), vec2<f32>(-1.0, 1.0),
        vec2<f32>(1.0, -1.0), vec2<f32>(1.0, 1.0), vec2<f32>(-1.0, 1.0),
    );
    let c = corners[vi % 6u];
    let half = inst.radius + 1.0;
    let local = c * half;
    var out: VsOut;
    let p = (inst.pos - view.center) * view.scale + local * view.px_to_clip;
    out.clip = vec4<f32>(p, 0.0, 1.0);
    out.local = local;
    out.radius = inst.radius;
    out.stroke_width = inst.stroke_width;
    out.fill = out_colour(inst.fill);
    out.stroke = out_colour(inst.stroke);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    let d = length(in.local);
    let aa = max(fwidth(d), 1e-4);
    let cover = clamp((in.radius - d) / aa + 0.5, 0.0, 1.0);
    let inner = clamp((in.radius - in.stroke_width - d) / aa + 0.5, 0.0, 1.0);
    let c = mix(in.stroke, in.fill, inner);
    return vec4<f32>(c.rgb, c.a * cover);
}
