"""Database layer: models, engine/session, migrations. Never imports Streamlit."""
