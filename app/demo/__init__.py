"""A realistic demo county (registry and platform exports) for `cunbo demo` and tests."""

from app.demo.generator import write_demo_county

__all__ = ["write_demo_county"]
