"""API views: thin — parse, call one selector or service, respond."""
