"""Views stay thin: they check permissions, call kpiboard.web.store and the core, and render."""
