#version 330
// Background image behind the object: Background Blur picks a mip level (1 = the
// image's average colour), Background Saturation blends with its luma.
#pragma include "color.inc.glsl"
in vec2 uv;
uniform sampler2D background;
uniform float background_blur;
uniform float background_saturation;
uniform float max_lod;
out vec4 frag;

void main() {
    vec3 c = textureLod(background, uv, background_blur * max_lod).rgb;
    frag = vec4(mix(vec3(dot(c, LUMA)), c, background_saturation), 1.0);
}
