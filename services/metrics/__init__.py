"""Figures the product shows (DESIGN.md §3 "one definition per figure"): headcounts and the
dashboard's figures; dashboard, home page and reports read them from here."""
