#version 330
// Post "Alpha": darken towards black.
uniform sampler2D src;
uniform float alpha;
out vec4 frag;

void main() {
    vec3 c = texelFetch(src, ivec2(gl_FragCoord.xy), 0).rgb;
    frag = vec4(c * alpha, 1.0);
}
