"""Demo data files (CDNOW, courtesy of Peter S. Fader and Bruce G. S. Hardie)."""
