"""What every feature package of the desktop shares: the task runner, docks, formatting, form errors,
shortcuts and fonts. Feature packages import from here, never from each other."""
