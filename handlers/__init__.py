"""The conversation, channel-neutral: an Inbound in, a feature router answers through a Turn."""
