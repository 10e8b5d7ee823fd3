#version 330
// Frequency decomposition: recombine the (blurred, hue-shifted) bands.
// low_alpha 0 replaces the low band by uniform 50% grey; unit alphas, zero sigmas
// and zero hues reproduce the input.
#pragma include "color.inc.glsl"
uniform sampler2D low;
uniform sampler2D high;
uniform float low_alpha;
uniform float high_alpha;
uniform float low_hue;
uniform float high_hue;
out vec4 frag;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    vec3 l = texelFetch(low, p, 0).rgb;
    vec3 h = texelFetch(high, p, 0).rgb;
    if (low_hue != 0.0) l = hue_shift_hsv(clamp(l, 0.0, 1.0), low_hue);
    if (high_hue != 0.0) h = hue_shift_yiq(h, high_hue);
    vec3 c = mix(vec3(0.5), l, low_alpha) + high_alpha * h;
    frag = vec4(clamp(c, 0.0, 1.0), 1.0);
}
