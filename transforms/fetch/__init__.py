"""Fetching from the web: a polite, safe HTTP client, feeds with conditional GET, article pages.

Modules: safety (which addresses and schemes may be requested), client (one request with
limits, redirects and retries), robots (robots.txt and per-host pacing), feeds (feed lists and
feed fetching), pages (page fetching grouped by host), state (what runs remember).
"""
