"""Customer segments: pure rules over a customer's order history."""
