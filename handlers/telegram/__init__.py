"""The Telegram edge: PTB updates in, replies out, errors classified, long polling."""
