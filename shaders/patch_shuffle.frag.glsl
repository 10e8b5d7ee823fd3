#version 330
// Post "Patch Shuffling": the image as k x k cells (row-major from the top-left);
// output cell i shows input cell perm[i]. k = 1 leaves the image unchanged.
uniform sampler2D src;
uniform int patch_shuffle;
uniform int perm[64];
out vec4 frag;

void main() {
    ivec2 size = textureSize(src, 0);
    int k = patch_shuffle;
    ivec2 p = ivec2(gl_FragCoord.xy);
    // Image coordinates: row 0 at the top (textures are stored bottom-up).
    vec2 img = vec2(p.x + 0.5, size.y - p.y - 0.5) * float(k) / vec2(size);
    ivec2 cell = min(ivec2(floor(img)), ivec2(k - 1));
    vec2 local = img - vec2(cell);
    int s = perm[cell.y * k + cell.x];
    vec2 src_img = (vec2(s % k, s / k) + local) * vec2(size) / float(k);
    ivec2 q = ivec2(floor(src_img.x), size.y - 1 - int(floor(src_img.y)));
    frag = vec4(texelFetch(src, clamp(q, ivec2(0), size - 1), 0).rgb, 1.0);
}
