"""Collectors: metric sources sampled on a handset, normalised into typed records."""
