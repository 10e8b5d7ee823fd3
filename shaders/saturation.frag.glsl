#version 330
// Post "Saturation": blend with the pixel's luma; 0 = grey (R = G = B).
#pragma include "color.inc.glsl"
uniform sampler2D src;
uniform float saturation;
out vec4 frag;

void main() {
    vec3 c = texelFetch(src, ivec2(gl_FragCoord.xy), 0).rgb;
    frag = vec4(mix(vec3(dot(c, LUMA)), c, saturation), 1.0);
}
