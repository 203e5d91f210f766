"""Reusable Streamlit pieces: grid, filters, KPI cards, charts, auth, navigation."""
