"""badgeservice: an Open Badges 3.0 credential issuing and verification service."""

__version__ = "0.1.0"
