"""The application layer: plain Python, never imports Streamlit (a test enforces it)."""
