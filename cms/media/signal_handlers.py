"""Signal handlers, wired in ``MediaConfig.ready``."""
