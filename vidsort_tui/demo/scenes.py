"""Procedural scenes a person tells apart at a glance: sea, forest, city at night, snow,
fire, desert. Each clip draws its own palette, speed and camera from a seeded RNG, and some
variants overlap on purpose (sunset sea vs desert, autumn forest vs fire) so the demo's
learning problem is not trivial. Frames are drawn small and upscaled: cheap and soft.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

Frame = np.ndarray  # H x W x 3, uint8, RGB
RenderFn = Callable[[float], Frame]

DRAW_H, DRAW_W = 320, 180


@dataclass
class Grid:
    y: np.ndarray
    x: np.ndarray


_GRID = Grid(*[a.astype(np.float32) for a in np.mgrid[0:DRAW_H, 0:DRAW_W]])
_YN = _GRID.y / DRAW_H  # 0 at top, 1 at bottom
_XN = _GRID.x / DRAW_W


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)[..., None]
    mixed: np.ndarray = a * (1 - t) + b * t
    return mixed


def _jitter(rng: np.random.Generator, rgb: tuple[float, float, float], amount: float) -> np.ndarray:
    return np.clip(np.array(rgb, np.float32) + rng.normal(0, amount, 3), 0, 1).astype(np.float32)


def _noise_field(
    rng: np.random.Generator, cells: int, h: int = DRAW_H, w: int = DRAW_W
) -> np.ndarray:
    """Smooth value noise in [0, 1], tileable enough for scrolling with np.roll."""
    small = rng.random((max(2, h * cells // w), cells)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def sea(rng: np.random.Generator) -> RenderFn:
    horizon = rng.uniform(0.28, 0.5)
    variant = rng.choice(["day", "day", "sunset", "storm"])
    sky_top, sky_low = {
        "day": ((0.25, 0.5, 0.9), (0.75, 0.88, 1.0)),
        "sunset": ((0.35, 0.3, 0.6), (1.0, 0.6, 0.3)),
        "storm": ((0.35, 0.38, 0.42), (0.6, 0.63, 0.66)),
    }[variant]
    deep = _jitter(rng, (0.02, 0.2, 0.4) if variant != "storm" else (0.1, 0.18, 0.22), 0.04)
    shallow = _jitter(rng, (0.1, 0.5, 0.65), 0.06)
    top, low = _jitter(rng, sky_top, 0.04), _jitter(rng, sky_low, 0.04)
    speed, kx, foam = rng.uniform(1.0, 3.0), rng.uniform(2, 9), rng.uniform(1.15, 1.5)
    depth = (_YN - horizon) / (1 - horizon)
    persp = 3.0 / (np.maximum(depth, 0) + 0.06)

    def render(t: float) -> Frame:
        sky = _lerp(top, low, _YN / horizon)
        wave = np.sin(persp + speed * t + _XN * kx) + 0.6 * np.sin(
            1.7 * persp - 1.3 * speed * t - _XN * kx * 0.7
        )
        water = _lerp(deep, shallow, depth + 0.15 * wave)
        water = np.where((wave > foam)[..., None], np.float32(0.95), water)
        img = np.where((depth < 0)[..., None], sky, water)
        return img

    return render


def forest(rng: np.random.Generator) -> RenderFn:
    autumn = rng.random() < 0.3
    leaf_dark = _jitter(rng, (0.35, 0.15, 0.02) if autumn else (0.03, 0.2, 0.05), 0.03)
    leaf_light = _jitter(rng, (0.95, 0.55, 0.1) if autumn else (0.35, 0.7, 0.2), 0.05)
    bark = _jitter(rng, (0.25, 0.16, 0.08), 0.03)
    leaves = _noise_field(rng, int(rng.integers(10, 24)))
    trunks = [(rng.uniform(0, 1), rng.uniform(0.02, 0.08)) for _ in range(int(rng.integers(3, 8)))]
    sway, drift = rng.uniform(0.005, 0.02), rng.uniform(-6, 6)

    def render(t: float) -> Frame:
        field = np.roll(leaves, int(drift * t), axis=1)
        img = _lerp(leaf_dark, leaf_light, field * 1.4 - 0.2)
        for x0, width in trunks:
            x = x0 + sway * np.sin(t * 1.3 + x0 * 10) * (1 - _YN)
            mask = np.abs(_XN - x) < width
            img = np.where(mask[..., None], bark * (0.7 + 0.3 * field[..., None]), img)
        return img

    return render


def city_night(rng: np.random.Generator) -> RenderFn:
    sky = _jitter(rng, (0.02, 0.03, 0.1), 0.02)
    buildings = []
    x = 0.0
    while x < 1:
        w = rng.uniform(0.12, 0.3)
        buildings.append((x, x + w, rng.uniform(0.2, 0.6)))
        x += w + rng.uniform(0.0, 0.05)
    lights = rng.random((40, 12)) < rng.uniform(0.25, 0.6)
    window = _jitter(rng, (1.0, 0.8, 0.35), 0.08)
    bokeh = [
        (
            rng.uniform(0, DRAW_W),
            rng.uniform(0, DRAW_H),
            rng.uniform(4, 14),
            rng.random(3),
            rng.uniform(0.5, 3),
        )
        for _ in range(int(rng.integers(6, 18)))
    ]
    cars = [
        (rng.uniform(0, 1), rng.uniform(0.75, 0.97), rng.choice([-1, 1]) * rng.uniform(0.1, 0.5))
        for _ in range(8)
    ]

    img = np.broadcast_to(sky, (DRAW_H, DRAW_W, 3)).copy()
    for x0, x1, top in buildings:
        cols = (x0 <= _XN) & (x1 > _XN) & (top < _YN)
        img[cols] = (0.04, 0.04, 0.06)
        wy = ((_YN - top) * 40).astype(int) % 40
        wx = ((_XN - x0) / max(x1 - x0, 1e-3) * 12).astype(int).clip(0, 11)
        lit = (
            cols
            & lights[wy, wx]
            & ((_GRID.y.astype(int) % 6) < 3)
            & ((_GRID.x.astype(int) % 5) < 3)
        )
        img[lit] = window
    skyline = (img * 255).astype(np.uint8)

    def render(t: float) -> Frame:
        out = skyline.copy()
        for bx, by, r, colour, freq in bokeh:
            level = 0.5 + 0.5 * np.sin(t * freq + bx)
            cv2.circle(
                out, (int(bx), int(by)), int(r), tuple(int(c * 255 * level) for c in colour), -1
            )
        for cx, cy, v in cars:
            x = int(((cx + v * t) % 1.2 - 0.1) * DRAW_W)
            light = (255, 40, 30) if v > 0 else (255, 250, 220)
            cv2.line(out, (x, int(cy * DRAW_H)), (x + 14, int(cy * DRAW_H)), light, 2)
        return out.astype(np.float32) / 255

    return render


def snow(rng: np.random.Generator) -> RenderFn:
    night = rng.random() < 0.3
    sky_a = _jitter(rng, (0.05, 0.08, 0.2) if night else (0.75, 0.78, 0.82), 0.04)
    sky_b = _jitter(rng, (0.15, 0.18, 0.3) if night else (0.9, 0.92, 0.95), 0.03)
    ground = _jitter(rng, (0.55, 0.6, 0.7) if night else (0.96, 0.97, 1.0), 0.02)
    line = rng.uniform(0.55, 0.8)
    trees = [(rng.uniform(0, DRAW_W), rng.uniform(40, 90)) for _ in range(int(rng.integers(0, 6)))]
    n = int(rng.integers(120, 400))
    fx, fy = rng.uniform(0, DRAW_W, n), rng.uniform(0, DRAW_H, n)
    fv, fd, fr = rng.uniform(15, 60, n), rng.uniform(-10, 10, n), rng.integers(1, 3, n)
    base = _lerp(sky_a, sky_b, _YN / line)
    base = np.where((line < _YN)[..., None], ground, base)
    base = (base * 255).astype(np.uint8)
    for tx, th in trees:
        y0 = int(line * DRAW_H)
        pts = np.array([[tx, y0 - th], [tx - th / 3, y0], [tx + th / 3, y0]], np.int32)
        cv2.fillPoly(base, [pts], (20, 40, 30))

    def render(t: float) -> Frame:
        out = base.copy()
        ys = (fy + fv * t) % DRAW_H
        xs = (fx + fd * t + 4 * np.sin(t + fy)) % DRAW_W
        for x, y, r in zip(xs.astype(int), ys.astype(int), fr, strict=True):
            cv2.circle(out, (int(x), int(y)), int(r), (250, 250, 255), -1)
        return out.astype(np.float32) / 255

    return render


def fire(rng: np.random.Generator) -> RenderFn:
    noise = _noise_field(rng, int(rng.integers(8, 16)), DRAW_H * 2)
    width, height = rng.uniform(0.25, 0.6), rng.uniform(0.4, 0.85)
    cx, speed = rng.uniform(0.35, 0.65), rng.uniform(60, 160)
    envelope = np.clip(1 - np.abs(_XN - cx) / width, 0, 1) * np.clip(
        (_YN - (1 - height)) / height, 0, 1
    )
    ember = _jitter(rng, (0.08, 0.02, 0.0), 0.02)

    def render(t: float) -> Frame:
        off = int(speed * t) % DRAW_H
        flick = noise[DRAW_H - off : 2 * DRAW_H - off] if off else noise[DRAW_H:]
        heat = np.clip(envelope * (0.6 + 0.9 * flick) - 0.15, 0, 1)
        hot = cv2.applyColorMap((heat * 255).astype(np.uint8), cv2.COLORMAP_HOT)
        img = cv2.cvtColor(hot, cv2.COLOR_BGR2RGB).astype(np.float32) / 255
        glowing: np.ndarray = np.maximum(img, ember)
        return glowing

    return render


def desert(rng: np.random.Generator) -> RenderFn:
    sunset = rng.random() < 0.3
    sky_top = _jitter(rng, (0.9, 0.5, 0.3) if sunset else (0.3, 0.55, 0.9), 0.05)
    sky_low = _jitter(rng, (1.0, 0.8, 0.5) if sunset else (0.85, 0.9, 0.95), 0.04)
    sand = [_jitter(rng, (0.85, 0.65, 0.4), 0.06), _jitter(rng, (0.7, 0.45, 0.25), 0.06)]
    ridges = sorted(rng.uniform(0.35, 0.8, int(rng.integers(2, 5))))
    freqs = rng.uniform(2, 7, len(ridges))
    pan = rng.uniform(-0.08, 0.08)

    sky = _lerp(sky_top, sky_low, _YN / ridges[0])
    x = _XN[0]

    def render(t: float) -> Frame:
        img = sky.copy()
        for i, (r, f) in enumerate(zip(ridges, freqs, strict=True)):
            edge = r + 0.05 * np.sin((x + pan * t) * f * np.pi + i) + 0.004 * np.sin(t * 8 + i)
            below = edge[None, :] < _YN
            shade = _lerp(sand[i % 2], sand[(i + 1) % 2], (_YN - edge[None, :]) * 4)
            img[below] = shade[below]
        return img

    return render


SCENES: dict[str, Callable[[np.random.Generator], RenderFn]] = {
    "sea": sea,
    "forest": forest,
    "city_night": city_night,
    "snow": snow,
    "fire": fire,
    "desert": desert,
}
#: The scene names, in the order the demo library and the tests cycle through them.
SCENE_NAMES: tuple[str, ...] = tuple(SCENES)


def finish(frame: np.ndarray, size: tuple[int, int], gain: float, noise: np.ndarray) -> np.ndarray:
    """Scale a float RGB drawing to ``size`` (w, h) as uint8 with a camera's gain and grain."""
    img = np.clip(frame * gain + noise, 0, 1)
    scaled: np.ndarray = cv2.resize(
        (img * 255).astype(np.uint8), size, interpolation=cv2.INTER_LINEAR
    )
    return scaled
