"""The bot's own web server (an edge beside the messengers): download links for channels that
cannot send documents. ``server.web_app`` lists its routes; ``server.WebServer`` starts it."""
