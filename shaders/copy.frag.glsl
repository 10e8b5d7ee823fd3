#version 330
// A texel-for-texel copy (alpha 1): the chain's result into the 8-bit target the
// networks read back, and the cached background into the scene (exact for 8-bit input).
uniform sampler2D src;
out vec4 frag;

void main() {
    frag = vec4(clamp(texelFetch(src, ivec2(gl_FragCoord.xy), 0).rgb, 0.0, 1.0), 1.0);
}
