"""Contact compliance (DESIGN.md §6, docs/compliance.md): periods, the term calendar and rule
settings, the default rules, the engine, the to-do list and the risk list."""
