"""Reports for the bureau and the school (DESIGN.md §8): report data, bureau content and its
.docx/.pdf writers, the workbook, contact cards, charts and the audited export functions."""
