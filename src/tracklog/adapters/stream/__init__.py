"""The server-mode event transport: outbox triggers relayed to Redis Streams."""
