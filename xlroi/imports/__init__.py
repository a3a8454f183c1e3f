"""Platform exports in: the ad spend and results marketers download fill the template.

One module per platform export (:mod:`.meta`, :mod:`.linkedin`, :mod:`.google_ads`,
:mod:`.tiktok`, :mod:`.x_ads`, :mod:`.ga4`) turns a file into the one row type of :mod:`.rows`;
:mod:`.template_writer` fills the template from those rows and knows nothing of platforms;
:func:`import_exports` (:mod:`.api`) runs the whole import; :mod:`.cli` is the ``xlroi import``
command. See docs/imports.md.
"""
from .api import FileReport, ImportReport, import_exports
from .platforms import PLATFORMS, read_export

__all__ = ["import_exports", "ImportReport", "FileReport", "read_export", "PLATFORMS"]
