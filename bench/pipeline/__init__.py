"""The pipeline benchmark: the same topics through raw consumers, our worker and peers."""
