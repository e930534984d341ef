"""loopwarden: finds the asyncio pitfalls that take Python services down."""
