"""Chart images for the bureau report: Plotly figures → PNG through kaleido, all in one go.

The figures themselves are built by the caller (the Reports page passes the dashboard's builders
from components/charts.py, so the report shows the same charts); services never import components.
kaleido drives a Chromium (Debian's /usr/bin/chromium unless BROWSER_PATH says otherwise); the first
image takes seconds (browser start), so every chart of a report is rendered in one call.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

CHART_WIDTH, CHART_HEIGHT, CHART_SCALE = 900, 450, 2
log = logging.getLogger(__name__)


def render_png(figures: dict[str, go.Figure]) -> dict[str, bytes]:
    """name → PNG bytes for every figure (empty when there are none)."""
    if not figures:
        return {}
    if not os.environ.get("BROWSER_PATH") and Path("/usr/bin/chromium").exists():
        os.environ["BROWSER_PATH"] = "/usr/bin/chromium"
    names = list(figures)
    with tempfile.TemporaryDirectory(prefix="careledger-charts-") as folder:
        paths = [Path(folder) / f"{i}.png" for i in range(len(names))]
        try:
            pio.write_images(
                [figures[n] for n in names],
                paths,
                format="png",
                width=CHART_WIDTH,
                height=CHART_HEIGHT,
                scale=CHART_SCALE,
            )
        except Exception:  # no browser, or it crashed: a report without charts beats none
            log.exception("chart rendering failed; the report is made without charts")
            return {}
        return {name: path.read_bytes() for name, path in zip(names, paths, strict=True)}
