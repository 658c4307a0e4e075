"""Redis connections for server mode: one standalone server or a Redis Cluster."""
