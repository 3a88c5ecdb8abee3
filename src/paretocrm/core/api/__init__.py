"""Generic REST API building blocks shared by every app (the kernel imports no app)."""
