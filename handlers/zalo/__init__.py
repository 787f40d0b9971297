"""Zalo (the Zalo Bot Platform) as a second channel: client, events, channel port, polling."""
