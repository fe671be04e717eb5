"""Framework-free foundations: settings, database, security, clock, translations."""
