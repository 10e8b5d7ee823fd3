#version 330
// Foreground object: blend two textures of shared UV layout by `texture_morph`,
// then Texture Influence / Texture Blur / Lighting Influence (thesis 5.2.2 "Scene").
in vec3 world_pos;
in vec3 world_normal;
in vec2 uv;
uniform sampler2D tex_a;
uniform sampler2D tex_b;
#ifdef ALPHA_TEXTURE
// The object's separate alpha texture. Only objects that have one are drawn with this
// variant: a shader that can discard gets no early depth test, so an opaque object's
// hidden fragments would all be shaded.
uniform sampler2D alpha_tex;
#endif
uniform float texture_morph;
uniform float texture_influence;   // 0 = solid white
uniform float texture_blur;        // 0..1 -> mip bias 0..max_lod (1 = average colour)
uniform float max_lod;
uniform float lighting_influence;  // 0 = uniform shading 1.0
uniform vec3 camera_pos;
uniform vec3 light_dir[3];         // towards the lights, world space
uniform vec3 light_color[3];
uniform float ambient;
out vec4 frag;

void main() {
    float bias = texture_blur * max_lod;
    // A texture whose weight is exactly 0 is not sampled (the same colour, fewer samples;
    // the condition is uniform, so the samples' derivatives stay defined).
    vec3 blend = texture(tex_a, uv, bias).rgb;
    if (texture_morph != 0.0) {
        blend = mix(blend, texture(tex_b, uv, bias).rgb, texture_morph);
    }
    vec3 albedo = mix(vec3(1.0), blend, texture_influence);
#ifdef ALPHA_TEXTURE
    if (texture(alpha_tex, uv, bias).r < 0.5) discard;
#endif

    vec3 n = normalize(world_normal);
    if (!gl_FrontFacing) n = -n;
    vec3 v = normalize(camera_pos - world_pos);
    vec3 shade = vec3(ambient);
    for (int i = 0; i < 3; ++i) {
        vec3 l = normalize(light_dir[i]);
        vec3 h = normalize(l + v);
        float diffuse = max(dot(n, l), 0.0);
        float specular = diffuse > 0.0 ? pow(max(dot(n, h), 0.0), 32.0) * 0.25 : 0.0;
        shade += light_color[i] * (diffuse + specular);
    }
    vec3 lit = mix(vec3(1.0), shade, lighting_influence);
    frag = vec4(albedo * lit, 1.0);
}
