"""Deterministic demo and scale data (DESIGN.md §3, §9); `python -m seed --help`."""

from seed.context import SeedSummary
from seed.generator import (
    DEMO,
    DEMO_PASSWORD,
    DEMO_USERS,
    Neighbour,
    SeedConfig,
    SeedError,
    seed_database,
)

__all__ = [
    "DEMO",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "Neighbour",
    "SeedConfig",
    "SeedError",
    "SeedSummary",
    "seed_database",
]
