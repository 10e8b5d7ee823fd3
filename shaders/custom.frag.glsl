#version 330
// Post "Custom Parameter": the user's snippet is the body of custom_effect(); the
// line holding the marker below is replaced by it before compiling.
uniform sampler2D src;
uniform float custom;
in vec2 uv;
out vec4 frag;

vec3 custom_effect(vec3 color, float value, vec2 uv) {
//@SNIPPET@
}

void main() {
    vec3 c = texelFetch(src, ivec2(gl_FragCoord.xy), 0).rgb;
    frag = vec4(custom_effect(c, custom, uv), 1.0);
}
