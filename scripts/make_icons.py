"""Generate the PWA icons (192, 512, maskable 512) from one source image with pillow.

Usage: python scripts/make_icons.py   (reads assets/icons/source.png, writes assets/icons/*.png)
"""

from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"
THEME = (13, 148, 136)


def main() -> None:
    """Write icon-192.png, icon-512.png and icon-maskable-512.png next to the source."""
    source = Image.open(ICONS / "source.png").convert("RGBA")
    for size in (192, 512):
        source.resize((size, size), Image.LANCZOS).save(ICONS / f"icon-{size}.png", optimize=True)
    canvas = Image.new("RGBA", (512, 512), THEME + (255,))
    inner = int(512 * 0.72)
    glyph = source.resize((inner, inner), Image.LANCZOS)
    canvas.alpha_composite(glyph, ((512 - inner) // 2, (512 - inner) // 2))
    canvas.save(ICONS / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
