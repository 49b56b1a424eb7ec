"""xlreports: 客服 KPI scorecards, pay and customer archives for online shops, as live Excel sheets."""

__version__ = "0.1.0"
