"""S3 access for flowtui: client, listing, resumable reads, error messages (no Textual)."""
