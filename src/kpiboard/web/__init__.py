"""kpiboard's web application (Django 5.2): data entry, approval, dashboards and reports."""
