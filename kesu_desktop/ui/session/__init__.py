"""Before the main window: first-run set-up and sign-in."""
