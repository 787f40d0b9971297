"""The offline Bot API: a fake Telegram server, update factories and a chat driver.

Used by the tests, the benchmarks and (later) the browser sandbox; it never talks to the internet.
"""
