"""Demo and benchmark data for developers; nothing in the product imports this package."""
