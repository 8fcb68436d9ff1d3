"""Who may read what: readers and their roles, the users file, signing in."""
