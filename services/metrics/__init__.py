"""Every figure the product shows, one function each (DESIGN.md §3), all taking
(session, actor, scope, period, as_of); the dashboard, home page, report and workbook read them.

- scope.py: Scope (everyone / grade / class), Period, `children_in_scope` — who counts.
- headcounts.py: headcounts, headcounts_by_unit, left_behind_by_grade, school_headline (home).
- archive.py: archive_figures (建档率), archive_missing_fields.
- pairing.py: pairing_figures (coverage, key children, teachers, load), pairing_conditions.
- compliance.py: rule_periods → compliance_frame / compliance_figures / compliance_status
  (due, met, overdue, open; the rate over ended rule-periods; the running month as progress).
- participation.py: participation_figures, participation_by_activity_type (care's counting).
- health.py: health_figures / health_by_unit — per term, as the health page counts them.
- records.py: contacts_by_channel and aid_by_kind — dated records in the period of their date.
- attention.py: risk_counts, not_contacted (the risk list's reason, 新建档 left out), new_children.
- dashboard.py: load_dashboard, the 总览 page's figures and chart frames; options.py: choices.
"""
