"""An agency's branding for the report: ``--brand FILE`` (JSON, or TOML on Python 3.11+).

    {"client": "Acme Corp", "title": "Monthly social-media ROI", "prepared_by": "Bright Agency",
     "logo": "acme.png", "colors": {"primary": "#0B3D91", "accent": "#F28C28"}, "credit": false}

``logo`` is a PNG, JPEG, GIF, WebP or SVG file (relative to the brand file), embedded in the
report as a data: URL so the report stays one self-contained file. ``credit: false`` leaves
xlroi's name out of the report entirely.
"""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from ..errors import BadValue, WorkbookNotFound
from .model import Brand

MAX_LOGO_BYTES = 2 * 1024 * 1024
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_KNOWN = {"client", "title", "prepared_by", "logo", "colors", "credit"}


def _logo_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048].lower()):
        return "image/svg+xml"
    return None


def load_brand(path: str | Path) -> Brand:
    """Read a brand file; raise :class:`BadValue` (one line) for anything that does not fit."""
    path = Path(path)
    if not path.is_file():
        raise WorkbookNotFound(f"--brand {path}: no such file")
    text = path.read_bytes()
    try:
        if path.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(text.decode("utf-8"))
        else:
            data = json.loads(text.decode("utf-8"))
    except ImportError:
        raise BadValue(f"--brand {path}: TOML needs Python 3.11 or later; write the brand file as JSON") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadValue(f"--brand {path}: not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'} ({exc})") from None
    if not isinstance(data, dict):
        raise BadValue(f"--brand {path}: expected an object with client, title, logo, colors")
    unknown = set(data) - _KNOWN
    if unknown:
        raise BadValue(f"--brand {path}: unknown keys {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KNOWN))})")
    brand = Brand()
    for key in ("client", "title", "prepared_by"):
        if key in data:
            if not isinstance(data[key], str) or len(data[key]) > 200:
                raise BadValue(f"--brand {path}: {key} must be text of at most 200 characters")
            setattr(brand, key, data[key].strip())
    colors = data.get("colors", {})
    if not isinstance(colors, dict) or set(colors) - {"primary", "accent"}:
        raise BadValue(f"--brand {path}: colors takes primary and accent, e.g. {{\"primary\": \"#0B3D91\"}}")
    for key, value in colors.items():
        if not isinstance(value, str) or not _HEX.match(value):
            raise BadValue(f"--brand {path}: colors.{key} {value!r} is not a colour like #0B3D91")
        setattr(brand, key, value)
    if "credit" in data:
        if not isinstance(data["credit"], bool):
            raise BadValue(f"--brand {path}: credit is true or false")
        brand.credit = data["credit"]
    if data.get("logo"):
        logo = (path.parent / str(data["logo"])).resolve()
        if not logo.is_file():
            raise WorkbookNotFound(f"--brand {path}: logo {logo} not found")
        raw = logo.read_bytes()
        if len(raw) > MAX_LOGO_BYTES:
            raise BadValue(f"--brand {path}: logo {logo.name} is larger than 2 MB")
        kind = _logo_type(raw)
        if kind is None:
            raise BadValue(f"--brand {path}: logo {logo.name} is not a PNG, JPEG, GIF, WebP or SVG image")
        brand.logo_data_uri = f"data:{kind};base64," + base64.b64encode(raw).decode("ascii")
    return brand
