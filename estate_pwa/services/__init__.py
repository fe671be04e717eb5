"""The rules of the estate. Every function takes a database session; none imports Reflex."""
