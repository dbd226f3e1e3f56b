"""The voice model: per-locale grammars and the build that expands them into ASK CLI JSON."""
