"""Pure drawing: the generated badge (PNG and SVG), the share image, SVG rasterising, QR codes
and the printable certificate, all with the fonts of ``render.fonts``, the one font finder.

Nothing here reads the database or the network: callers (``services/``) pass texts and image
bytes in and get bytes out. Import-linter keeps it so (a sibling of ``db`` and ``remote``).
"""
