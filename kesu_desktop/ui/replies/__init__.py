"""The reply editor, the approval queue and the forbidden-phrase highlighter."""
