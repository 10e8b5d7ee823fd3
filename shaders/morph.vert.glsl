#version 330
// Foreground object: blend two shapes of shared topology by `shape_morph`.
in vec4 p3d_Vertex;
in vec3 p3d_Normal;
in vec2 p3d_MultiTexCoord0;
in vec3 morph_vertex;
in vec3 morph_normal;
uniform mat4 p3d_ModelViewProjectionMatrix;
uniform mat4 p3d_ModelMatrix;
uniform float shape_morph;
out vec3 world_pos;
out vec3 world_normal;
out vec2 uv;

void main() {
    vec3 pos = mix(p3d_Vertex.xyz, morph_vertex, shape_morph);
    vec3 nrm = normalize(mix(p3d_Normal, morph_normal, shape_morph) + 1e-6);
    gl_Position = p3d_ModelViewProjectionMatrix * vec4(pos, 1.0);
    world_pos = (p3d_ModelMatrix * vec4(pos, 1.0)).xyz;
    world_normal = normalize(mat3(p3d_ModelMatrix) * nrm);
    uv = p3d_MultiTexCoord0;
}
