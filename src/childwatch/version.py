"""The version of childwatch: stored with runs, backups and bundles, sent as the user agent."""

__version__ = "0.1.0"
