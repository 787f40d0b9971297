"""Telegram transport: parse an update, call a service, render the reply."""
