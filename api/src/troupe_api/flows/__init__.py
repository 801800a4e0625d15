"""Session start: the checks and the LiveKit token of a start (``session_start``), its
variables, the recording notice, and the resolved ``SessionConfig`` the runtime runs
(``session_config``). Configuration validation lives in ``configuration``."""
