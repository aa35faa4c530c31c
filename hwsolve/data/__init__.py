"""Data sets: MNIST IDX reading, locating and fetching."""
