// The map canvas's composite (pipeline "composite"): the map image drawn earlier into its own
// texture, as one quad in the host pass's viewport. `rect` is where the image lands, in clip
// units (x0, y0, x1, y1; y up): the whole viewport when the image was drawn for the current
// view, moved and scaled when it is shown for a view it was not drawn for.

struct Place {
    rect: vec4<f32>,
};

@group(0) @binding(0) var<uniform> place: Place;
@group(0) @binding(1) var image: texture_2d<f32>;

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> VsOut {
    // two triangles: (0,0) (1,0) (0,1) / (0,1) (1,0) (1,1) in image units (v down)
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 0.0), vec2<f32>(0.0, 1.0),
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, 0.0), vec2<f32>(1.0, 1.0),
    );
    let uv = corners[i];
    var out: VsOut;
    let x = mix(place.rect.x, place.rect.z, uv.x);
    let y = mix(place.rect.y, place.rect.w, uv.y);
    out.clip = vec4<f32>(x, y, 0.0, 1.0);
    out.uv = uv;
    return out;
}

// The texel under the pixel, unfiltered: exact where the image shows the current view (one
// texel per pixel), and blocky for the moment a moved or zoomed image is shown; a software
// rasteriser fetches a texel much faster than it filters four.
@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    let size = vec2<f32>(textureDimensions(image));
    let texel = clamp(vec2<i32>(floor(in.uv * size)), vec2<i32>(0), vec2<i32>(size) - 1);
    return textureLoad(image, texel, 0);
}
