"""Scheduled sweeps: enqueue due reminders and digests, drain the outbox (not built yet)."""
