// Colour-space helpers shared by the post passes (included with #pragma include).
// The numpy references in tests/game/post/reference.py implement the same formulas.

const vec3 LUMA = vec3(0.299, 0.587, 0.114);

vec3 rgb2hsv(vec3 c) {
    float mx = max(c.r, max(c.g, c.b));
    float mn = min(c.r, min(c.g, c.b));
    float d = mx - mn;
    float h = 0.0;
    if (d > 1e-6) {
        if (mx == c.r)      h = mod((c.g - c.b) / d, 6.0);
        else if (mx == c.g) h = (c.b - c.r) / d + 2.0;
        else                h = (c.r - c.g) / d + 4.0;
        h /= 6.0;
    }
    float s = mx > 1e-6 ? d / mx : 0.0;
    return vec3(h, s, mx);
}

vec3 hsv2rgb(vec3 c) {
    vec3 k = mod(vec3(5.0, 3.0, 1.0) + c.x * 6.0, 6.0);
    return c.z - c.z * c.y * clamp(min(k, 4.0 - k), 0.0, 1.0);
}

// Rotate the hue of an image by `shift` turns (HSV model, as the thesis' Hue slider).
vec3 hue_shift_hsv(vec3 c, float shift) {
    vec3 hsv = rgb2hsv(c);
    hsv.x = fract(hsv.x + shift);
    return hsv2rgb(hsv);
}

// Rotate the chroma plane of YIQ by `shift` turns: linear, so it also works on the
// signed high-frequency band, where HSV is undefined.
vec3 hue_shift_yiq(vec3 c, float shift) {
    const mat3 to_yiq = mat3(0.299, 0.595716, 0.211456,
                             0.587, -0.274453, -0.522591,
                             0.114, -0.321263, 0.311135);
    mat3 to_rgb = inverse(to_yiq);
    vec3 yiq = to_yiq * c;
    float a = 6.28318530718 * shift;
    float ca = cos(a), sa = sin(a);
    yiq.yz = vec2(ca * yiq.y - sa * yiq.z, sa * yiq.y + ca * yiq.z);
    return to_rgb * yiq;
}
