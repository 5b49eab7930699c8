"""The registration form, its crash-safe drafts and the caller's history beside it."""
