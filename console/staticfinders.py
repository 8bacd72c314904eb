"""Serve plotly.js from the installed plotly package as ``vendor/plotly.min.js``.

Pages must work without internet (DESIGN.md), and the package already ships the
exact plotly.js that its Python API targets, so nothing is copied into the tree.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_NAME = "vendor/plotly.min.js"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != PLOTLY_NAME:
            return [] if find_all else None
        found = str(PLOTLY_DIR / "plotly.min.js")
        return [found] if find_all else found

    def list(self, ignore_patterns):
        yield "plotly.min.js", _PrefixedStorage(self.storage)


class _PrefixedStorage(FileSystemStorage):
    """Storage whose files collect under ``vendor/``."""

    def __init__(self, inner: FileSystemStorage):
        super().__init__(location=inner.location)
        self.prefix = "vendor"
