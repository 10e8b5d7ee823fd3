#version 330
// Post "Hue": rotate every pixel's HSV hue by `hue` turns (-0.5..0.5 = -180..180 deg).
#pragma include "color.inc.glsl"
uniform sampler2D src;
uniform float hue;
out vec4 frag;

void main() {
    vec3 c = texelFetch(src, ivec2(gl_FragCoord.xy), 0).rgb;
    frag = vec4(hue == 0.0 ? c : hue_shift_hsv(clamp(c, 0.0, 1.0), hue), 1.0);
}
