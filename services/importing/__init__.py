"""Roster import: parsing a school's sheet, reading values, the preview, the plan and the
all-or-nothing writer; also the blank roster template."""
