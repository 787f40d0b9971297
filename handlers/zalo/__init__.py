"""Zalo (the Zalo Bot Platform) as a second channel beside Telegram.

- ``client``: the thin aiohttp client (``client_for(settings)``), Zalo's codes -> the port's errors
- ``events``: the event bodies as typed values (``Event.key`` identifies a redelivery)
- ``channel``: ``ZaloChannel``, the channel port (plain text, numbered choices, parts, links)
- ``polling``: the ``getUpdates`` loop (``Poller``) and the webhook receiver

Wiring them in (the composition root): put a ``ZaloChannel`` in the ``Channels`` mapping; run a
``Poller`` or mount ``webhook_receiver(webhook_secret(token), on_event)`` (then ``setWebhook``),
``on_event`` recording the event by its key before anything else; pace the Zalo lane of the outbox
at ``ZALO_SEND_PACE``; pass the Zalo token to ``setup_logging`` as a second secret.
"""
