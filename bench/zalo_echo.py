"""The upper bound on Zalo: a bare echo bot on our Zalo client and poller (same transport, same
number of concurrent long polls, ZALO_POLLS), answering each event with one message, one
person's in order (``Lanes``), no database."""

from __future__ import annotations

import asyncio
import os
import signal

from handlers.zalo.client import ZaloClient
from handlers.zalo.events import Event
from handlers.zalo.polling import Poller
from handlers.zalo.updates import Lanes
from scheduler.timer import RealTimer


async def serve() -> None:
    """Poll the Zalo Bot API at ZALO_API_URL until SIGTERM."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    lanes = Lanes()
    async with ZaloClient(os.environ["ZALO_BOT_TOKEN"], os.environ["ZALO_API_URL"]) as client:

        async def echo(event: Event) -> None:
            """Queue one short answer in the sender's line."""
            chat = event.message.chat.id

            async def answer() -> None:
                await client.send_message(chat, "echo")

            lanes.submit(chat, answer)

        polls = int(os.environ.get("ZALO_POLLS", "1"))
        await Poller(client, echo, RealTimer(), stop, polls=polls).run()
        await lanes.drain()


if __name__ == "__main__":
    asyncio.run(serve())
