"""Script-to-storyboard engines: ``rules`` (the Fountain / prose reader, default) and
``llm`` (any OpenAI-compatible chat endpoint, with the rules as fallback)."""
