"""The alerts dock, the tray icon and the thread that runs the deadline watcher."""
