#version 330
// One direction of a separable Gaussian blur, clamp-to-edge, kernel radius ceil(3 sigma),
// weights normalised over the taps. sigma < 0.3 passes the image through unchanged.
uniform sampler2D src;
uniform vec2 direction;  // (1, 0) or (0, 1)
uniform float sigma;
out vec4 frag;

void main() {
    ivec2 size = textureSize(src, 0);
    ivec2 p = ivec2(gl_FragCoord.xy);
    if (sigma < 0.3) {
        frag = texelFetch(src, p, 0);
        return;
    }
    int radius = int(ceil(3.0 * sigma));
    ivec2 step = ivec2(direction);
    vec4 acc = vec4(0.0);
    float total = 0.0;
    for (int i = -radius; i <= radius; ++i) {
        float w = exp(-0.5 * float(i * i) / (sigma * sigma));
        acc += w * texelFetch(src, clamp(p + i * step, ivec2(0), size - 1), 0);
        total += w;
    }
    frag = acc / total;
}
