"""Export writers: plain data in, file bytes out (no database access, no Streamlit)."""
