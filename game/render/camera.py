"""The orbit camera: parameters -> pose, and mouse gestures -> parameter changes.

Convention (degrees): the object faces +x with z up. yaw 0 = side view from -y
(the object's front to the right of the image); negative yaw swings the camera
towards the front (yaw -90 = front view); pitch < 0 looks down from above; roll
turns the image. Pan moves the orbit target along the camera's right/up axes, so
the object stays centred when pan is zero.
"""
from __future__ import annotations

from panda3d.core import LQuaternionf, Vec3


def orbit_pose(values: dict) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    hpr = (-float(values["yaw"]), float(values["pitch"]), float(values["roll"]))
    q = LQuaternionf()
    q.setHpr(Vec3(*hpr))
    target = q.getRight() * float(values["pan_x"]) + q.getUp() * float(values["pan_y"])
    pos = target - q.getForward() * float(values["distance"])
    return (pos.x, pos.y, pos.z), hpr


# Mouse gestures, in parameter units per pixel of drag / per wheel click.
ORBIT_DEG_PER_PX = 0.4
PAN_PER_PX = 0.004
DOLLY_FACTOR = 1.1


def clamp_to(param, value: float) -> float:
    return min(max(value, param.min), param.max)


def wrap_yaw(value: float) -> float:
    return ((value + 180.0) % 360.0) - 180.0
