"""Reports people read: the validation summary (validation_report.py), the version-shift report
(shift_report.py), their shared page and table helpers (page.py) and inline SVG charts (charts.py).
Every function here returns text; writing files is the face's job."""
