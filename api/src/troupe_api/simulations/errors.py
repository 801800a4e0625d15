"""Simulation errors (the JSON ``error.code`` values are stable)."""

from __future__ import annotations

from troupe_api.core.errors import Conflict, NotFound


class ScenarioNotFound(NotFound):
    code = "simulation_scenario_not_found"
    default_message = "Simulation scenario not found."


class RunNotFound(NotFound):
    code = "simulation_run_not_found"
    default_message = "Simulation run not found."


class RunNotRunning(Conflict):
    code = "simulation_run_not_running"
    default_message = "The run is not claimed (already completed, or never claimed)."
