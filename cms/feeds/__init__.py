"""Podcast feeds (RSS 2.0 with the iTunes and Podcasting 2.0 namespaces) per content language
and per section, for the radio programmes: docs/feeds.md."""
