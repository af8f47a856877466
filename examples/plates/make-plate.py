#!/usr/bin/env python3
"""Paints the example multiplane plate of docs/plates.md: three layers and a depth map, Python's standard library only.

    python3 examples/plates/make-plate.py     # writes sky.png, hills.png, street.png, street-depth.png beside itself

Deterministic (no randomness): the same script writes the same bytes. Layers are 960x270 (three 16:9 frames at 320x180
side by side, so a pan has room); the spec that uses them is harbour-pan.json.
"""
import math, os, struct, zlib

W, H = 960, 270
GROUND = 0.82  # the plate's ground line: a fraction of its height from the top (the spec's groundLine)
HERE = os.path.dirname(os.path.abspath(__file__))


def png(path, width, height, rows, bit_depth, colour_type):
    """rows: one bytes object per row, already packed for the bit depth and colour type."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    with open(os.path.join(HERE, path), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def rgba(path, paint):
    png(path, W, H, [bytes(c for x in range(W) for c in paint(x, y)) for y in range(H)], 8, 6)


def mix(a, b, t):
    return tuple(int(round(p + (q - p) * t)) for p, q in zip(a, b))


def sky(x, y):
    c = mix((70, 120, 200), (250, 205, 160), min(1.0, y / (GROUND * H)))
    d = math.hypot(x - 700, y - 90)
    if d < 26:
        c = (255, 244, 214)
    elif d < 60:
        c = mix((255, 236, 200), c, (d - 26) / 34)
    return c + (255,)


def hill_top(x):
    return GROUND * H - 60 - 28 * math.sin(x / 83.0) - 14 * math.sin(x / 31.0 + 1.3)


def hills(x, y):
    top = hill_top(x)
    if y < top - 1:
        return (0, 0, 0, 0)
    a = 255 if y >= top else int(255 * (y - top + 1))
    shade = mix((96, 130, 150), (70, 104, 120), min(1.0, (y - top) / 60))
    return shade + (a,)


def street(x, y):
    g = GROUND * H
    post = (x % 120) < 8 and g - 46 <= y < g
    rail = (g - 40 <= y < g - 34 or g - 22 <= y < g - 16) and not post
    if post or rail:
        return (92, 58, 40, 255)
    if y < g:
        return (0, 0, 0, 0)
    t = (y - g) / (H - g)
    c = mix((150, 128, 96), (112, 90, 66), t)
    if (x + int(y * 1.5)) % 64 < 2:  # cobble seams
        c = mix(c, (70, 56, 42), 0.6)
    return c + (255,)


def street_depth(x, y):
    """Parallax depth, 0 (infinity) .. 1.5 (65535): the fence on the characters' plane, the road from 1 at the ground line to 1.5 at the bottom."""
    g = GROUND * H
    d = 1.0 if y < g else 1.0 + 0.5 * (y - g) / (H - g)
    return int(round(d / 1.5 * 65535))


rgba("sky.png", sky)
rgba("hills.png", hills)
rgba("street.png", street)
png("street-depth.png", W, H, [b"".join(struct.pack(">H", street_depth(x, y)) for x in range(W)) for y in range(H)], 16, 0)
