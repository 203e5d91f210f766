"""成长记录 (issue 17): term results and teachers' observations per child, and the definitions
every page, chart, warning and report reads them through.

- percentiles: how a result becomes a percentile in its class, subject and term (pure).
- terms: THE per-child, per-term frame (mean percentile, the four observation scales) and the
  early-warning rule (a fall between two terms) — one definition for 一人一档, 关爱成效,
  重点关注, 我的待办 and the report.
"""
