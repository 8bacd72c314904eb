"""Views of the staff console (``/console/``) and the viewer portal (``/portal/``)."""
