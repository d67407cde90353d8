"""The one outbound seam to portals: client, shared rate governor, batching, error mapping."""
