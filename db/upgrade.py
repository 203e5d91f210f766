"""`python -m db.upgrade`: bring the configured database (DATABASE_URL) to the newest schema."""

from db.engine import get_engine
from db.migrate import upgrade

if __name__ == "__main__":
    upgrade(get_engine())
    print("database is at the newest schema")
