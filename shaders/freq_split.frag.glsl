#version 330
// Frequency decomposition: high band = image - low band (signed; float target).
uniform sampler2D src;
uniform sampler2D low;
out vec4 frag;

void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    frag = vec4(texelFetch(src, p, 0).rgb - texelFetch(low, p, 0).rgb, 1.0);
}
