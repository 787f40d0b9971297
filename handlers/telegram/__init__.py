"""The Telegram edge: PTB updates in, replies out, errors classified, the polling workers."""
