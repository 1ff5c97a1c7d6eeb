"""Performance: API calls per engine operation, and the floors they are held to."""
