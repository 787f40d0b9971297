"""The upper bound on Zalo: a bare echo bot on our Zalo client and poller (same transport, same
number of concurrent long polls, ZALO_POLLS), answering each event with one message, one
person's in order (``Lanes``), no database. With PUBLIC_URL set it takes Zalo's webhook instead,
on an aiohttp server at WEB_HOST:WEB_PORT, as the bot does (``bot/zalo_app.py``)."""

from __future__ import annotations

import asyncio
import os
import signal

from aiohttp import web

from handlers.zalo.client import ZaloClient
from handlers.zalo.events import Event
from handlers.zalo.polling import Poller, webhook_receiver, webhook_secret
from handlers.zalo.updates import Lanes
from scheduler.timer import RealTimer

WEBHOOK_PATH = "/zalo"


async def serve() -> None:
    """Poll the Zalo Bot API at ZALO_API_URL (or take its webhook) until SIGTERM."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    lanes = Lanes()
    token = os.environ["ZALO_BOT_TOKEN"]
    public = os.environ.get("PUBLIC_URL")
    async with ZaloClient(token, os.environ["ZALO_API_URL"]) as client:

        async def echo(event: Event) -> None:
            """Queue one short answer in the sender's line."""
            chat = event.message.chat.id

            async def answer() -> None:
                await client.send_message(chat, "echo")

            lanes.submit(chat, answer)

        if public:
            app = web.Application()
            app.router.add_post(WEBHOOK_PATH, webhook_receiver(webhook_secret(token), echo))
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            host = os.environ.get("WEB_HOST", "127.0.0.1")
            await web.TCPSite(runner, host, int(os.environ["WEB_PORT"])).start()
            await client.set_webhook(f"{public}{WEBHOOK_PATH}", webhook_secret(token))
            await stop.wait()
            await lanes.drain()
            await runner.cleanup()
            return
        polls = int(os.environ.get("ZALO_POLLS", "1"))
        await Poller(client, echo, RealTimer(), stop, polls=polls).run()
        await lanes.drain()


if __name__ == "__main__":
    asyncio.run(serve())
