"""A console to talk to the skill: `python -m laser_recovery.console` (or `make chat`).

Typed sentences become the request envelopes Alexa would send (intents and slots from the
interaction model's own sample utterances, dates resolved as AMAZON.DATE resolves them),
and the skill's answers come back as plain text.
"""
