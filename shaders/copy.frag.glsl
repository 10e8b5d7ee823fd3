#version 330
// Final pass: the chain's result into the 8-bit target the networks read back.
uniform sampler2D src;
out vec4 frag;

void main() {
    frag = vec4(clamp(texelFetch(src, ivec2(gl_FragCoord.xy), 0).rgb, 0.0, 1.0), 1.0);
}
