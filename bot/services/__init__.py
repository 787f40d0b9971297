"""Use-cases shared by the chat handlers, the scheduler and the command line."""
