"""avrop: purchase-to-pay for public-sector buyers and their suppliers."""

__version__ = "0.1.0"
