"""Which videos look alike: nearest neighbours by content, near-duplicate copies, look-alike
groups and the look-alike order, written to similarity.json."""
