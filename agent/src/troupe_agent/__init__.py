"""Troupe package."""
