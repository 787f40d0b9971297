"""Zalo (the Zalo Bot Platform) as a second channel beside Telegram.

- ``client``: the thin aiohttp client (``client_for(settings)``), Zalo's codes -> the port's errors
- ``events``: the event bodies as typed values (``Event.key`` identifies a redelivery)
- ``channel``: ``ZaloChannel``, the channel port (plain text, numbered choices, parts, links)
- ``polling``: the ``getUpdates`` loop (``Poller``) and the webhook receiver
- ``updates``: ``ZaloEdge``, events to the conversation (each taken once, one person's in order)

``bot/zalo_app.py`` wires them in: the channel beside Telegram's in the outbox (its own pace),
a ``Poller`` or the webhook on the bot's web server, the token redacted from every log line.
"""
