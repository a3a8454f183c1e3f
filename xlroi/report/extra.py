"""Whether the report's optional dependencies are installed, checked without importing them
into anything else (``xlroi report`` without the extra must say in one line how to get it)."""
from __future__ import annotations

from ..errors import MissingExtra

INSTALL_HINT = "pip install 'xlroi[report]'"


def require(pdf: bool = False) -> None:
    """Raise :class:`MissingExtra` (one line: how to install) when the report's extra is missing."""
    missing = []
    for module in ("jinja2", "matplotlib"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if pdf:
        import warnings

        # without Debian's libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools and warns
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset")
        try:
            import weasyprint  # noqa: F401
        except ImportError:
            missing.append("weasyprint")
        except OSError as exc:  # the Python package is there, the system's Pango is not
            raise MissingExtra(f"PDF output needs Pango for WeasyPrint: apt-get install libpango-1.0-0 "
                               f"libpangoft2-1.0-0 (or write .html) ({exc})") from None
    if missing:
        raise MissingExtra(f"xlroi report needs the optional 'report' dependencies ({', '.join(missing)}): {INSTALL_HINT}")
