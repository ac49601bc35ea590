"""The shipped sample corpus (seed article, BBC Arabic 2018, held-out evaluation questions) as package data."""
