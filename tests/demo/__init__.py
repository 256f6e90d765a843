"""Tests of the demo county generator (app.demo)."""
