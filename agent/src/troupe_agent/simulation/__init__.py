"""Simulations: scenario tests of a template's agents (text mode without a room, audio mode
through LiveKit), the ``troupe simulate`` CLI and the worker's run claimer."""
