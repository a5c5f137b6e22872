"""Fetching from the web: a polite, safe HTTP client, feeds with conditional GET, sitemaps, article pages.

Modules: safety (which addresses and schemes may be requested), client (one request with
limits, redirects and retries), robots (robots.txt and per-host pacing), feeds (feed lists and
feed fetching), sitemaps (sitemap walks from their roots), discover (a site's feeds and
sitemaps), pages (page fetching grouped by host), state (what runs remember).
"""
