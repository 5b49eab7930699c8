"""Branch offices in the desktop: background sync, 立即同步, the status bar's sync state, 冲突."""
