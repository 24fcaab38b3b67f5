"""The pieces the pages share; not pages themselves (app.py lists the pages)."""
