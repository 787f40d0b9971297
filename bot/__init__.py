"""Chat assistant for the yearly personal plan of the Ho Chi Minh study campaign."""

__version__ = "0.1.0"
