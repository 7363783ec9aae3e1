"""Draws build/icon.png, the packages' icon: a gateway arch with a stream of events passing through it.
Standard library only (zlib + struct write the PNG); 4x4 supersampling smooths the edges. Run: python3 build/make-icon.py"""
import os, struct, zlib

SIZE, SS = 128, 4
BACKGROUND, ARCH, EVENTS = (31, 78, 121), (255, 255, 255), (245, 166, 35)


def colour_at(x, y):
    """The colour at (x, y) in icon pixels, or None outside the rounded square."""
    r = 22  # corner radius
    cx, cy = min(max(x, r), SIZE - r), min(max(y, r), SIZE - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return None
    d2 = (x - 64) ** 2 + (y - 64) ** 2
    if (y <= 64 and 26 ** 2 <= d2 <= 38 ** 2) or (64 < y <= 102 and (26 <= x <= 38 or 90 <= x <= 102)):
        return ARCH
    if any((x - ex) ** 2 + (y - 84) ** 2 <= 7 ** 2 for ex in (50, 64, 78)):
        return EVENTS
    return BACKGROUND


def pixel(px, py):
    samples = [colour_at(px + (i + 0.5) / SS, py + (j + 0.5) / SS) for i in range(SS) for j in range(SS)]
    inside = [s for s in samples if s is not None]
    if not inside:
        return (0, 0, 0, 0)
    rgb = tuple(round(sum(s[k] for s in inside) / len(inside)) for k in range(3))
    return rgb + (round(255 * len(inside) / len(samples)),)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


rows = b"".join(b"\0" + bytes(c for x in range(SIZE) for c in pixel(x, y)) for y in range(SIZE))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png"), "wb") as f:
    f.write(png)
