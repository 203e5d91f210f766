from datetime import date

import pandas as pd

from components.health_charts import build_health_history_figure
from services.care.health import HISTORY_COLUMNS


def test_history_figure_has_one_trace_per_measure_over_the_dates():
    df = pd.DataFrame(
        [
            [1, date(2025, 10, 1), 128.0, 25.0, 15.3, 5.0, 4.9, 100, 65, 1200, None, []],
            [2, date(2026, 10, 1), 134.0, 28.5, 15.9, 4.8, 4.7, 104, 66, 1400, None, ["x"]],
        ],
        columns=HISTORY_COLUMNS,
    )
    fig = build_health_history_figure(df)
    assert len(fig.data) == 4
    assert list(fig.data[0].y) == [128.0, 134.0]
    assert list(fig.data[3].y) == [4.9, 4.7]


def test_empty_history_gives_an_annotated_empty_figure():
    fig = build_health_history_figure(pd.DataFrame(columns=HISTORY_COLUMNS))
    assert len(fig.data) == 0 and fig.layout.annotations
