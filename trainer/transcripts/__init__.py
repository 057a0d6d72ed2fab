"""Transcripts: the canonical record of a call, and readers and writers for every format."""
